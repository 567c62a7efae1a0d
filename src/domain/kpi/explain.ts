import type { StateInterval } from '../agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import { type Direction, FLOW_OUT_OUTCOMES, type QueueOutcome } from '../events/event-types';
import { type FactMetricId, metricDefinition, OUTBOUND_FACT_METRICS } from './catalog';
import { HOUR_MS, type KpiPolicy, type MetricValue, satisfiedFloor } from './compute';
import { BUCKET_MS, bucketStartOf, judgeAttempt, qualityCellOf, type RecordsInput, waitSlot } from './facts';

/**
 * Explaining a cell: which records are behind one metric of one cell, and for each whether it is in the
 * numerator and the denominator, and why, in words. The judgements restate, one record at a time, what
 * `facts.ts` sums and `compute.ts` divides; `explain.property.test.ts` checks that counting them gives
 * `computeMetric`'s numerator and denominator for random records and policies.
 */

/**
 * What kind of record a metric is explained by: queue visits, agent segments, state intervals, calls (their
 * disposition, survey or IVR), or handled calls judged for a repeat (`fcrRepeatCaller`, repeat-caller.ts).
 */
export type ExplainKind = 'visit' | 'segment' | 'interval' | 'interaction' | 'call';

/** A call's direction as cells split it ('unknown' when the call says nothing, or its facts are missing). */
export type CellDirection = Direction | 'unknown';

/** How much of a state interval falls in the cell. */
export interface IntervalShare {
  /** Time inside the cell (its buckets that pass the person filter), ms; an open interval runs to `asOf`. */
  overlapMs: number;
  /** It started in a bucket of the cell (a break counts, whole, where it started). */
  startedInCell: boolean;
  /** Its whole duration, ms (to `asOf` while open). */
  wholeMs: number;
  open: boolean;
}

/** Where a call's disposition or survey is attributed (see `qualityCellOf`). */
export interface QualityAttribution {
  queueId: string | null;
  agentId: string | null;
  bucketStart: number;
}

/** One record of a cell, with what its judgement needs besides the policy. `at` and `id` give the listing order. */
export type ExplainRecord =
  | { kind: 'visit'; id: string; at: number; visit: VisitRecord; direction: CellDirection }
  | { kind: 'segment'; id: string; at: number; segment: SegmentRecord; direction: CellDirection }
  | { kind: 'interval'; id: string; at: number; interval: StateInterval; share: IntervalShare }
  | {
      kind: 'interaction';
      id: string;
      at: number;
      interaction: InteractionFacts;
      direction: CellDirection;
      attribution: QualityAttribution;
      /** For outbound metrics: the attempt judged on all its segments and visits (`judgeAttempt`). */
      attempt?: { connected: boolean; abandoned: boolean };
    };

/** A record's judgement for one metric. An amount is 0 whenever its flag is false. */
export interface Decision {
  inNumerator: boolean;
  inDenominator: boolean;
  /** What the record adds to the numerator: 1 for a record counted, ms for durations (for the longest wait: its wait). */
  numerator: number;
  /**
   * What it adds to the denominator: 1 per record, ms for time-based ratios, hours for a metric per hour; 0 for
   * metrics without a denominator.
   */
  denominator: number;
  /**
   * For a metric per hour: the same amount in ms. Whole milliseconds add exactly, so the cell's denominator is
   * their sum in hours, as `computeMetric` divides the summed time (hours added one by one could differ in the
   * last bit).
   */
  denominatorMs?: number;
  reason: string;
}

const kindOfFact = (fact: string): Exclude<ExplainKind, 'call'> =>
  fact.startsWith('visits.')
    ? 'visit'
    : fact.startsWith('segments.')
      ? 'segment'
      : fact.startsWith('states.')
        ? 'interval'
        : 'interaction';

/** The kind of record a metric reads, from the facts the catalog says it reads (its first: the numerator's). */
export function explainKindOf(id: FactMetricId): Exclude<ExplainKind, 'call'> {
  return kindOfFact(metricDefinition(id).facts[0] ?? '');
}

/**
 * Every kind of record a metric reads, its {@link explainKindOf} first: one for most, two for a metric whose
 * numerator and denominator are different records (`contactsPerHour`: calls over state intervals).
 */
export function explainKindsOf(id: FactMetricId): Exclude<ExplainKind, 'call'>[] {
  return [...new Set(metricDefinition(id).facts.map(kindOfFact))];
}

/** A duration in seconds as a person reads it: 24300 → "24.3 s", 20001 → "20.001 s". */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** In the numerator of a count or a total (which have no denominator). */
const yes = (reason: string, numerator = 1): Decision => ({
  inNumerator: true,
  inDenominator: false,
  numerator,
  denominator: 0,
  reason,
});
/** In both: the numerator amount, then the denominator amount. */
export const both = (reason: string, numerator = 1, denominator = 1): Decision => ({
  inNumerator: true,
  inDenominator: true,
  numerator,
  denominator,
  reason,
});
export const denominatorOnly = (reason: string, denominator = 1): Decision => ({
  inNumerator: false,
  inDenominator: true,
  numerator: 0,
  denominator,
  reason,
});
export const neither = (reason: string): Decision => ({
  inNumerator: false,
  inDenominator: false,
  numerator: 0,
  denominator: 0,
  reason,
});
/** In the numerator of a metric whose denominator other records make (contacts per logged-in hour). */
const numeratorOnly = (reason: string, numerator = 1): Decision => ({
  inNumerator: true,
  inDenominator: false,
  numerator,
  denominator: 0,
  reason,
});
/** For counts and totals (no denominator): in the numerator or not. */
const counted = (inIt: boolean, reason: string, amount = 1): Decision => (inIt ? yes(reason, amount) : neither(reason));

// ---------------------------------------------------------------------------------------------------------------
// Queue visits

const FLOW_OUT_OF: Partial<Record<FactMetricId, QueueOutcome>> = {
  flowedOutTimeout: 'timeout',
  flowedOutNoAgents: 'no_agents',
  flowedOutExitKey: 'exit_key',
  flowedOutTransferred: 'transferred',
  flowedOutRejectedFull: 'rejected_full',
};

/** Within a whole-second threshold exactly as the facts count it: `waitMs <= s * 1000` (negative waits as 0). */
const within = (waitMs: number | null, s: number) => waitMs !== null && waitSlot(waitMs) <= s;

/** What happened to a visit, in words: "answered after 24.3 s", "still waiting", "abandoned, wait unknown". */
export function describeVisit(v: VisitRecord): string {
  if (v.outcome === null) return 'still waiting';
  const after = v.waitMs === null ? ', wait unknown' : ` after ${seconds(Math.max(0, v.waitMs))}`;
  if (v.outcome === 'answered' || v.outcome === 'abandoned') return `${v.outcome}${after}`;
  if (FLOW_OUT_OUTCOMES.includes(v.outcome)) return `flowed out (${v.outcome})${after}`;
  if (v.outcome === 'unknown') return `outcome unknown${v.closedBy === 'stale' ? ' (closed by the sweeper)' : ''}`;
  return `left with outcome ${v.outcome}${after}`;
}

function decideVisit(id: FactMetricId, v: VisitRecord, direction: CellDirection, p: KpiPolicy): Decision {
  const what = describeVisit(v);
  const o = v.outcome;
  const timed = o !== null && v.waitMs !== null;
  const wait = timed ? Math.max(0, v.waitMs as number) : 0;
  const S = p.shortAbandonSeconds;
  const short = o === 'abandoned' && within(v.waitMs, S);
  const excludedShort = short && p.excludeShortAbandons;
  const shortWords = `${what} ≤ ${S} s: short abandon, excluded`;
  const isFlow = o !== null && FLOW_OUT_OUTCOMES.includes(o);
  switch (id) {
    case 'offered':
      return yes(`${what}: offered (every visit that started in the cell)`);
    case 'waiting':
      return counted(o === null, o === null ? 'still waiting' : `${what}: no longer waiting`);
    case 'answered':
    case 'abandoned':
    case 'unknown':
      return counted(o === id, o === id ? what : `${what}: not ${id === 'unknown' ? 'of unknown outcome' : id}`);
    case 'shortAbandons':
      if (o !== 'abandoned') return neither(`${what}: not abandoned`);
      if (v.waitMs === null) return neither(`${what}: an abandon of unknown wait is never short`);
      return short ? yes(`${what} ≤ ${S} s: short abandon`) : neither(`${what} > ${S} s: not short`);
    case 'flowedOut':
      return counted(isFlow, isFlow ? what : `${what}: not flowed out`);
    case 'flowedOutTimeout':
    case 'flowedOutNoAgents':
    case 'flowedOutExitKey':
    case 'flowedOutTransferred':
    case 'flowedOutRejectedFull': {
      const outcome = FLOW_OUT_OF[id] as QueueOutcome;
      return counted(o === outcome, o === outcome ? what : `${what}: not ${outcome}`);
    }
    case 'otherOutcomes':
      return counted(o === 'error' || o === 'other', o === 'error' || o === 'other' ? what : `${what}: not error or other`);
    case 'inbound':
      return counted(direction === 'inbound', `${what}: ${direction === 'unknown' ? 'direction unknown' : `${direction} call`}`);
    case 'serviceLevel':
      return serviceLevelOf(v, what, p);
    case 'answerRate':
      if (excludedShort) return neither(shortWords);
      return o === 'answered' ? both(`${what}: answered, offered`) : denominatorOnly(`${what}: offered, not answered`);
    case 'abandonRate':
      if (excludedShort) return neither(shortWords);
      return o === 'abandoned'
        ? both(`${what}: abandoned, offered${short ? ` (a short abandon, ≤ ${S} s, not excluded by the policy)` : ''}`)
        : denominatorOnly(`${what}: offered, not abandoned`);
    case 'asa':
    case 'avgAbandonTime': {
      const outcome = id === 'asa' ? 'answered' : 'abandoned';
      if (o !== outcome) return neither(`${what}: not ${outcome}`);
      return timed ? both(`${what}: its wait is averaged`, wait) : neither(`${what}: left out of the average`);
    }
    case 'avgQueueTime':
      if (o === null) return neither(`${what}: only visits that left are averaged`);
      return timed ? both(`${what}: its wait is averaged`, wait) : neither(`${what}: left out of the average`);
    case 'maxWait':
      // explainCell keeps in the numerator only the visits whose wait is the longest.
      if (o === null) return neither(`${what}: only visits that left count`);
      return timed ? both(`${what}`, wait) : neither(`${what}: not timed`);
    default:
      throw new RangeError(`${id} is not explained by queue visits`);
  }
}

function serviceLevelOf(v: VisitRecord, what: string, p: KpiPolicy): Decision {
  const T = p.thresholdSeconds;
  const S = p.shortAbandonSeconds;
  const vsT = v.waitMs === null ? '' : within(v.waitMs, T) ? ` ≤ T=${T} s` : ` > T=${T} s`;
  switch (v.outcome) {
    case null:
      return neither(`${what}: in neither until it leaves the queue`);
    case 'answered':
      if (v.waitMs === null) return denominatorOnly(`${what}: in the denominator, never met`);
      return within(v.waitMs, T) ? both(`${what}${vsT}: met`) : denominatorOnly(`${what}${vsT}: not met`);
    case 'abandoned':
      if (!p.abandonsInDenominator) return neither(`${what}: abandons are not in the denominator (abandonsInDenominator off)`);
      if (p.excludeShortAbandons && within(v.waitMs, S)) return neither(`${what} ≤ ${S} s: short abandon, excluded`);
      if (p.abandonsWithinThresholdMet && within(v.waitMs, T)) {
        return both(`${what}${vsT}: met (abandons within T count as met)`);
      }
      return denominatorOnly(`${what}${p.abandonsWithinThresholdMet ? vsT : ''}: in the denominator, not met`);
    case 'unknown':
    case 'error':
    case 'other':
      return neither(`${what}: in neither`);
    default:
      return p.flowOutsInDenominator
        ? denominatorOnly(`${what}: in the denominator, not met`)
        : neither(`${what}: flow-outs are not in the denominator (flowOutsInDenominator off)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Agent segments

function decideSegment(id: FactMetricId, s: SegmentRecord, direction: CellDirection): Decision {
  // Like addSegment: talk is known once the agent disconnected; until then the segment is not handled.
  if (s.disconnectedAt === null || s.talkMs === null) return neither('still connected: not handled yet');
  const talk = s.talkMs;
  const acw = s.acwMs ?? 0;
  const held = s.holdCount > 0 || s.holdMs > 0;
  const holdWords = held ? `held ${s.holdCount} time${s.holdCount === 1 ? '' : 's'} for ${seconds(s.holdMs)}` : 'never held';
  const acwWords =
    s.acwMs !== null ? `ACW ${seconds(s.acwMs)}` : s.wrapupStartedAt !== null ? 'still wrapping up (no ACW yet)' : 'no wrap-up';
  switch (id) {
    case 'handled':
      return yes('handled (connected in the cell and disconnected)');
    case 'avgTalkTime':
      return both(`handled: talk ${seconds(talk)}`, talk);
    case 'avgHoldTime':
      return held ? both(`handled, ${holdWords}`, s.holdMs) : neither('handled, never held: left out of the average');
    case 'avgAcw':
      if (s.acwMs !== null) return both(`handled, ${acwWords}`, s.acwMs);
      return neither(`handled, ${acwWords}: left out of the average${s.wrapupStartedAt !== null ? ' until it ends' : ''}`);
    case 'aht':
    case 'agentAht':
      return both(
        `handled: talk ${seconds(talk)} + hold ${seconds(s.holdMs)} + ACW ${seconds(acw)} = ${seconds(talk + s.holdMs + acw)}`,
        talk + s.holdMs + acw,
      );
    case 'avgTalkPlusAcw':
      return both(`handled: talk ${seconds(talk)} + ACW ${seconds(acw)} = ${seconds(talk + acw)}`, talk + acw);
    case 'transferRate':
      return s.transferred ? both('handled, ended in a transfer') : denominatorOnly('handled, not transferred');
    case 'holdRate':
      return held ? both(`handled, ${holdWords}`) : denominatorOnly('handled, never held');
    case 'outbound':
      return counted(
        direction === 'outbound',
        `handled ${direction === 'unknown' ? 'call of unknown direction' : `${direction} call`}`,
      );
    default:
      throw new RangeError(`${id} is not explained by agent segments`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Agent state intervals

const WORKING = new Set(['busy', 'wrapup']);

function decideInterval(id: FactMetricId, i: StateInterval, share: IntervalShare): Decision {
  const o = share.overlapMs;
  const inCell = `${i.state}${i.reason ? ` (${i.reason})` : ''} for ${seconds(o)} in the cell${share.open ? ' (still open)' : ''}`;
  if (i.state === 'offline') return neither(`offline for ${seconds(o)} in the cell: not logged in`);
  switch (id) {
    case 'loggedInTime':
      return yes(`${inCell}: logged in`, o);
    case 'availableTime':
    case 'busyTime':
    case 'wrapupTime':
    case 'awayTime': {
      const state = id.slice(0, -'Time'.length);
      return counted(i.state === state, i.state === state ? inCell : `${inCell}: not ${state}`, o);
    }
    case 'breaks':
    case 'breakTime':
    case 'avgBreakTime': {
      if (i.state !== 'away') return neither(`${inCell}: not a break`);
      if (!share.startedInCell) return neither(`${inCell}: a break started before the cell counts where it started`);
      const words = `a break${i.reason ? ` (${i.reason})` : ''} of ${seconds(share.wholeMs)}${share.open ? ' so far' : ''}, started in the cell`;
      if (id === 'breaks') return yes(words);
      return id === 'breakTime' ? yes(words, share.wholeMs) : both(words, share.wholeMs);
    }
    case 'occupancy':
      if (WORKING.has(i.state)) return both(`${inCell}: handling`, o, o);
      if (i.state === 'available') return denominatorOnly(`${inCell}: idle, ready for a call`, o);
      return neither(`${inCell}: neither handling nor idle`);
    case 'utilization':
      if (i.state === 'away') return denominatorOnly(`${inCell}: logged in, not ready`, o);
      return both(`${inCell}: ${i.state === 'available' ? 'ready' : 'working'}`, o, o);
    case 'contactsPerHour':
      return {
        ...denominatorOnly(`${inCell}: logged in (${Number((o / HOUR_MS).toFixed(4))} h)`, o / HOUR_MS),
        denominatorMs: o,
      };
    default:
      throw new RangeError(`${id} is not explained by agent state intervals`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Calls: dispositions, surveys, IVR

const OUTBOUND_METRICS: ReadonlySet<FactMetricId> = new Set(OUTBOUND_FACT_METRICS);

function decideAttempt(
  id: FactMetricId,
  i: InteractionFacts,
  a: { connected: boolean; abandoned: boolean },
  p: KpiPolicy,
): Decision {
  const category = i.disposition?.category;
  const rpc = a.connected && category !== undefined && (p.rightPartyCategories ?? []).includes(category);
  const reached = a.connected
    ? 'reached a person (an agent segment or a queue visit)'
    : 'reached no one (no agent segment, no queue visit)';
  const catWords = category === undefined ? 'no disposition category' : `category ${category}`;
  switch (id) {
    case 'outboundAttempts':
      return yes(`outbound attempt that started in the cell, ${reached}`);
    case 'outboundConnects':
      return counted(a.connected, reached);
    case 'connectRate':
      return a.connected ? both(reached) : denominatorOnly(reached);
    case 'rightPartyContacts':
      return counted(rpc, a.connected ? `connect, ${catWords}: ${rpc ? 'right party' : 'not a right-party category'}` : reached);
    case 'rightPartyRate':
      if (!a.connected) return neither(reached);
      return rpc
        ? both(`connect, ${catWords}: right party`)
        : denominatorOnly(`connect, ${catWords}: not a right-party category`);
    case 'predictiveAbandonRate':
      if (!a.connected) return neither(reached);
      return a.abandoned
        ? both('live call queued by the dialer and abandoned before any agent connected')
        : denominatorOnly('live call, not abandoned');
    default:
      throw new RangeError(`${id} is not explained by outbound attempts`);
  }
}

function decideInteraction(
  id: FactMetricId,
  i: InteractionFacts,
  p: KpiPolicy,
  attempt?: { connected: boolean; abandoned: boolean },
): Decision {
  const { disposition, survey, ivr } = i;
  if (OUTBOUND_METRICS.has(id)) {
    if (!attempt) throw new RangeError(`${id} needs the attempt judged on its segments and visits`);
    return decideAttempt(id, i, attempt, p);
  }
  switch (id) {
    case 'fcrDisposition': {
      if (!disposition) return neither('no disposition');
      const code = disposition.code ? ` (code ${disposition.code})` : '';
      return disposition.resolved ? both(`dispositioned resolved${code}`) : denominatorOnly(`dispositioned not resolved${code}`);
    }
    case 'complaints':
    case 'complaintRate': {
      if (!disposition) return neither('no disposition');
      const category = disposition.category;
      const complaint = category !== undefined && (p.complaintCategories ?? []).includes(category);
      const words = category === undefined ? 'dispositioned without a category' : `dispositioned with category ${category}`;
      if (id === 'complaints') return counted(complaint, complaint ? `${words}: a complaint` : `${words}: not a complaint`);
      return complaint ? both(`${words}: a complaint`) : denominatorOnly(`${words}: not a complaint`);
    }
    case 'csat': {
      if (!survey) return neither('no survey response');
      const { floor, by } = satisfiedFloor(survey, p);
      const how = by === 'top2box' ? ' (top-2-box)' : by === 'survey' ? " (the survey's own threshold)" : '';
      const score = `score ${survey.score} on ${survey.scaleMin}–${survey.scaleMax}`;
      return survey.score >= floor
        ? both(`${score} ≥ ${floor}${how}: satisfied`)
        : denominatorOnly(`${score} < ${floor}${how}: not satisfied`);
    }
    case 'csatMean':
      if (!survey) return neither('no survey response');
      return both(`score ${survey.score} on ${survey.scaleMin}–${survey.scaleMax}`, survey.score);
    case 'surveyResponses':
      return counted(
        survey !== null,
        survey ? `score ${survey.score} on ${survey.scaleMin}–${survey.scaleMax}` : 'no survey response',
      );
    case 'contactsPerHour': {
      // recordsOfCell lists only outbound attempts an agent spoke with and dispositioned, in the cell of its last segment.
      const category = disposition?.category;
      if (category === undefined) return neither('outbound connect handled by the agent, dispositioned without a category');
      return (p.rightPartyCategories ?? []).includes(category)
        ? numeratorOnly(`outbound connect handled by the agent, category ${category}: a right-party contact`)
        : neither(`outbound connect handled by the agent, category ${category}: not a right-party category`);
    }
    case 'ivrSelfServiceRate':
      if (!ivr) return neither('no IVR session');
      return ivr.selfServed
        ? both('IVR session completed without reaching a queue: self-served')
        : denominatorOnly('IVR session that went on to a queue or ended unserved');
    default:
      throw new RangeError(`${id} is not explained by calls`);
  }
}

/** Whether a record is in the numerator and the denominator of a metric under a policy, and why. */
export function decide(id: FactMetricId, r: ExplainRecord, policy: KpiPolicy): Decision {
  const kinds: readonly ExplainKind[] = explainKindsOf(id);
  if (!kinds.includes(r.kind)) throw new RangeError(`${id} is explained by ${kinds.join(' and ')} records, not ${r.kind}`);
  switch (r.kind) {
    case 'visit':
      return decideVisit(id, r.visit, r.direction, policy);
    case 'segment':
      return decideSegment(id, r.segment, r.direction);
    case 'interval':
      return decideInterval(id, r.interval, r.share);
    case 'interaction':
      return decideInteraction(id, r.interaction, policy, r.attempt);
  }
}

export interface ExplainedCell extends MetricValue {
  /** The judgement of each record, in the order given. */
  decisions: Decision[];
}

/**
 * The judgements of a cell's records and what they add up to: numerator and denominator are the sums of the
 * records' amounts (the longest wait: the largest), and equal `computeMetric` over the same records' facts.
 */
export function explainCell(id: FactMetricId, records: readonly ExplainRecord[], policy: KpiPolicy): ExplainedCell {
  const def = metricDefinition(id);
  let decisions = records.map((r) => decide(id, r, policy));
  let numerator = decisions.reduce((n, d) => n + d.numerator, 0);
  const denominator =
    def.denominator === null
      ? null
      : def.unit === 'perHour'
        ? decisions.reduce((n, d) => n + (d.denominatorMs ?? 0), 0) / HOUR_MS
        : decisions.reduce((n, d) => n + d.denominator, 0);
  if (def.kind === 'max') {
    numerator = decisions.reduce((m, d) => Math.max(m, d.numerator), 0);
    decisions = decisions.map((d) =>
      !d.inDenominator
        ? d
        : d.numerator === numerator
          ? { ...d, reason: `${d.reason}: the longest wait` }
          : { ...d, inNumerator: false, numerator: 0, reason: `${d.reason}: shorter than the longest, ${seconds(numerator)}` },
    );
  }
  const value =
    denominator === null ? numerator : denominator === 0 ? null : def.kind === 'max' ? numerator : numerator / denominator;
  return { value, numerator, denominator, unit: def.unit, decisions };
}

// ---------------------------------------------------------------------------------------------------------------
// Which records a cell holds

/** One cell of a report, as the records that fall in it are chosen (see `factsFromRecords` and `buildReport`). */
export interface CellSelector {
  /** The cell's period [start, end), epoch ms, on 15-minute boundaries (as every period of a report is). */
  start: number;
  end: number;
  /**
   * The cell is about people (grouped or filtered by agent, team or site): whether an agent's records of the
   * bucket starting at an instant belong to it. null: not about people. Queue metrics then read only the
   * visits an agent answered, as they read queue × agent cells; calls before any queue are in no such cell.
   */
  person: ((agentId: string, bucketStart: number) => boolean) | null;
  /** Only visits, segments and calls of this direction (state time has none). */
  direction?: CellDirection | null;
  /** Open state intervals count up to this instant. */
  asOf: number;
}

function checkSelector(c: CellSelector): void {
  if (c.start % BUCKET_MS !== 0 || c.end % BUCKET_MS !== 0 || c.end <= c.start) {
    throw new RangeError('a cell spans whole 15-minute buckets, start before end');
  }
}

/** How much of an interval falls in the cell, bucket by bucket like `addInterval` splits it. */
export function intervalShare(i: StateInterval, c: CellSelector): IntervalShare {
  const end = Math.max(i.startedAt, i.endedAt ?? c.asOf);
  const inCell = (b: number) => b >= c.start && b < c.end && (c.person === null || c.person(i.agentId, b));
  let overlapMs = 0;
  const from = Math.max(i.startedAt, c.start);
  const to = Math.min(end, c.end);
  if (c.person === null) overlapMs = Math.max(0, to - from);
  else
    for (let b = bucketStartOf(from); b < to; b += BUCKET_MS)
      if (inCell(b)) overlapMs += Math.min(to, b + BUCKET_MS) - Math.max(from, b);
  return { overlapMs, startedInCell: inCell(bucketStartOf(i.startedAt)), wholeMs: end - i.startedAt, open: i.endedAt === null };
}

function byInteraction<T extends { interactionId: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const list = out.get(t.interactionId);
    if (list) list.push(t);
    else out.set(t.interactionId, [t]);
  }
  return out;
}

const byOrder = (a: ExplainRecord, b: ExplainRecord) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The records behind a metric in one cell, in listing order (instant, then id): the visits that started in it,
 * the segments that connected in it, the state intervals that overlap it (offline ones too, in neither part),
 * or the calls whose disposition, survey or IVR session is attributed to it — chosen as `factsFromRecords`
 * places records in cells and `buildReport` reads them for the metric's scope. `input` holds the records the
 * report read (every visit and segment of a call decides where its disposition and survey go).
 */
export function recordsOfCell(id: FactMetricId, input: RecordsInput, c: CellSelector): ExplainRecord[] {
  checkSelector(c);
  const def = metricDefinition(id);
  const interactions = new Map((input.interactions ?? []).map((i) => [i.id, i]));
  const directionOf = (interactionId: string): CellDirection => interactions.get(interactionId)?.direction ?? 'unknown';
  const wanted = (interactionId: string) => !c.direction || directionOf(interactionId) === c.direction;
  const inRange = (at: number) => at >= c.start && at < c.end;
  const personOk = (agentId: string | null, at: number) =>
    c.person === null || (agentId !== null && c.person(agentId, bucketStartOf(at)));
  const out: ExplainRecord[] = [];
  const listIntervals = () => {
    for (const i of input.intervals ?? []) {
      const share = intervalShare(i, c);
      if (share.overlapMs > 0 || share.startedInCell)
        out.push({ kind: 'interval', id: i.id, at: i.startedAt, interval: i, share });
    }
  };

  if (id === 'contactsPerHour') {
    // The agents' logged-in time (the denominator), and the outbound attempts they spoke with and dispositioned,
    // each in the agent cell of its last segment (factsFromRecords' agentOutboundByCategory).
    listIntervals();
    const segmentsOf = byInteraction(input.segments ?? []);
    const visitsOf = byInteraction(input.visits ?? []);
    for (const i of interactions.values()) {
      const segs = segmentsOf.get(i.id) ?? [];
      const { disposition } = i;
      if (!disposition || i.direction !== 'outbound' || i.startedAt === null || segs.length === 0 || !wanted(i.id)) continue;
      const t = qualityCellOf(disposition.at, segs, visitsOf.get(i.id) ?? []);
      if (t.agentId === null || !inRange(t.bucketStart) || (c.person !== null && !c.person(t.agentId, t.bucketStart))) continue;
      out.push({ kind: 'interaction', id: i.id, at: disposition.at, interaction: i, direction: 'outbound', attribution: t });
    }
    return out.sort(byOrder);
  }

  switch (explainKindOf(id)) {
    case 'visit':
      for (const v of input.visits ?? []) {
        if (!inRange(v.enqueuedAt) || !wanted(v.interactionId)) continue;
        // In a cell about people, a visit is the answering agent's (factsFromRecords' queue × agent cells).
        if (c.person !== null && (v.outcome !== 'answered' || !personOk(v.agentId, v.enqueuedAt))) continue;
        out.push({ kind: 'visit', id: v.id, at: v.enqueuedAt, visit: v, direction: directionOf(v.interactionId) });
      }
      break;
    case 'segment':
      for (const s of input.segments ?? []) {
        if (!inRange(s.connectedAt) || !wanted(s.interactionId) || !personOk(s.agentId, s.connectedAt)) continue;
        out.push({ kind: 'segment', id: s.id, at: s.connectedAt, segment: s, direction: directionOf(s.interactionId) });
      }
      break;
    case 'interval':
      listIntervals();
      break;
    case 'interaction': {
      const segmentsOf = byInteraction(input.segments ?? []);
      const visitsOf = byInteraction(input.visits ?? []);
      for (const i of interactions.values()) {
        if (!wanted(i.id)) continue;
        const direction = i.direction ?? 'unknown';
        if (OUTBOUND_METRICS.has(id)) {
          // An outbound attempt: in the tenant's cell where it started, never in a cell about people.
          if (i.direction !== 'outbound' || i.startedAt === null || c.person !== null || !inRange(bucketStartOf(i.startedAt)))
            continue;
          const attribution = { queueId: null, agentId: null, bucketStart: bucketStartOf(i.startedAt) };
          const attempt = judgeAttempt(segmentsOf.get(i.id) ?? [], visitsOf.get(i.id) ?? []);
          out.push({ kind: 'interaction', id: i.id, at: i.startedAt, interaction: i, direction, attribution, attempt });
          continue;
        }
        if (def.scope === 'tenant') {
          // IVR comes before any queue or agent: only in the tenant's cells, never in a cell about people.
          if (!i.ivr || c.person !== null || !inRange(bucketStartOf(i.ivr.at))) continue;
          const attribution = { queueId: null, agentId: null, bucketStart: bucketStartOf(i.ivr.at) };
          out.push({ kind: 'interaction', id: i.id, at: i.ivr.at, interaction: i, direction, attribution });
          continue;
        }
        const fact = id === 'fcrDisposition' || id === 'complaints' || id === 'complaintRate' ? i.disposition : i.survey;
        if (!fact) continue;
        const t = qualityCellOf(fact.at, segmentsOf.get(i.id) ?? [], visitsOf.get(i.id) ?? []);
        // A queue metric reads queue cells (queue × agent ones in a cell about people); the tenant's are apart.
        if (t.queueId === null || !inRange(t.bucketStart)) continue;
        if (c.person !== null && (t.agentId === null || !c.person(t.agentId, t.bucketStart))) continue;
        out.push({ kind: 'interaction', id: i.id, at: fact.at, interaction: i, direction, attribution: t });
      }
      break;
    }
  }
  return out.sort(byOrder);
}
