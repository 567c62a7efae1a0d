import type { StateInterval } from '../agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import { AGENT_STATES, type AgentState, QUEUE_OUTCOMES, type QueueOutcome } from '../events/event-types';

/**
 * Cell facts: an additive summary of the records that fall into one cell (one 15-minute UTC bucket × queue,
 * × queue and agent, × agent, or the tenant alone), from which every metric of the catalog is computed exactly
 * under any service-level policy. Facts merge by addition (and max), so the facts of an hour, a day or a month
 * are the merge of their buckets' facts, in any order and grouping.
 *
 * Exactness for any whole-second threshold T in 0..3600: waits are kept as per-second histograms keyed by
 * `s = ceil(waitMs / 1000)`, capped at 3601 (">3600 s"). For an integer T, `waitMs <= T * 1000` holds exactly
 * when `s <= T`, so "answered within T" or "abandoned within T" is a sum over the histogram, never an estimate.
 *
 * Facts are plain JSON (numbers, and objects keyed by strings) so they can be stored as jsonb as they are.
 */

/** Cells are 15-minute UTC buckets: every real UTC offset is a multiple of 15 minutes, so local hours and days are unions of them. */
export const BUCKET_MS = 15 * 60 * 1000;

/** The largest whole-second threshold a policy or a request may use; waits above it share one histogram slot. */
export const MAX_THRESHOLD_SECONDS = 3600;
/** The histogram slot of every wait above {@link MAX_THRESHOLD_SECONDS}. */
export const OVER_MAX_SLOT = MAX_THRESHOLD_SECONDS + 1;

/** The start of the 15-minute UTC bucket an instant falls in (epoch ms; also right for instants before 1970). */
export function bucketStartOf(at: number): number {
  return at - (((at % BUCKET_MS) + BUCKET_MS) % BUCKET_MS);
}

/** The histogram slot of a wait: `waitMs <= T * 1000` ⇔ `waitSlot(waitMs) <= T` for every integer T in 0..3600. */
export function waitSlot(waitMs: number): number {
  return Math.min(OVER_MAX_SLOT, Math.ceil(Math.max(0, waitMs) / 1000));
}

/** The waits of the visits that ended with one outcome. */
export interface WaitFacts {
  /** Visits with this outcome. */
  n: number;
  /** Of those, visits whose wait is known (the rest have no `waitMs`; they are counted but never timed). */
  timed: number;
  /** Sum of the known waits, ms. */
  sumMs: number;
  /** Longest known wait, ms (0 when none is timed). */
  maxMs: number;
  /** Wait slot (`waitSlot`, as a decimal string) → visits; only non-zero slots are present. */
  bySecond: Record<string, number>;
}

/** The visits that started in the cell (a visit counts where it started, its offered interval). */
export interface VisitFacts {
  /** Visits still waiting (no outcome yet) when the facts were built. */
  waiting: number;
  /** Every outcome a visit can leave with, including `unknown` (closed by the sweeper, usually untimed). */
  byOutcome: Record<QueueOutcome, WaitFacts>;
  /** Visits by the direction of their interaction (`unknown` when the interaction's facts were not given or say nothing). */
  byDirection: DirectionCounts;
}

export interface DirectionCounts {
  inbound: number;
  outbound: number;
  unknown: number;
}

/** The agent segments that connected in the cell. */
export interface SegmentFacts {
  /** Segments that connected in the cell. */
  connected: number;
  /** Of those, segments that disconnected (handled): the only ones talk, hold and ACW are summed over. */
  handled: number;
  talkMs: number;
  holdMs: number;
  /** Holds (each hold.started → hold.ended) of handled segments. */
  holds: number;
  /** Handled segments with at least one hold. */
  withHold: number;
  /** After-call work of handled segments whose wrap-up ended (or whose provider reported it). */
  acwMs: number;
  withAcw: number;
  /** Handled segments whose wrap-up started and has not ended yet: their ACW is still growing. */
  acwPending: number;
  /** Handled segments that ended in a transfer. */
  transferred: number;
  /** Handled segments by the direction of their interaction. */
  byDirection: DirectionCounts;
}

/** Disposition, survey and IVR facts of the interactions attributed to the cell ({@link qualityCellOf}). */
export interface QualityFacts {
  dispositioned: number;
  resolved: number;
  /**
   * Category code → dispositioned calls of that category (calls without a category are not listed). Which
   * categories are complaints is a tenant setting applied at query time (`complaintCategories`), so a change
   * of the setting applies to all history.
   */
  dispositionsByCategory: Record<string, number>;
  surveys: number;
  /**
   * `${scaleMin}|${scaleMax}|${score}` → responses, or `${scaleMin}|${scaleMax}|${score}|${satisfiedScore}` for a
   * survey that gave its own satisfied threshold (rollups stored before it hold only the first form, which reads
   * as before): any satisfied-score threshold is exact, and the mean is summed from it in key order, so it is
   * the same however cells were merged (scores need not be integers). See {@link surveyScoreKey}.
   */
  surveyScores: Record<string, number>;
  ivrSessions: number;
  ivrSelfServed: number;
  /**
   * Outbound attempts: interactions of direction `outbound` with a known start, each counted once in the tenant
   * cell of the bucket where it started (like IVR sessions, before any queue). Rollups stored before these
   * fields have none, which reads as 0: no attempt was counted then.
   */
  outboundAttempts: number;
  /** Of those, attempts that reached a person: the interaction has an agent segment or a queue visit. */
  outboundConnects: number;
  /** Of the connects, those whose visits include an abandoned one and that never got an agent segment. */
  outboundAbandoned: number;
  /**
   * Disposition category → connects dispositioned with it (connects without a category are not listed). Which
   * categories are right-party contacts is a tenant setting applied at query time (`rightPartyCategories`).
   */
  outboundConnectsByCategory: Record<string, number>;
  /**
   * Outbound connects an agent spoke with, by disposition category, attributed like the disposition itself
   * ({@link qualityCellOf}: the call's last agent segment, in the bucket where it connected, with its queue and
   * agent) — so they land in agent cells beside the agent's logged-in time (`contactsPerHour`). Only attempts
   * (outbound, with a known start) with an agent segment and a disposition category are counted. Rollups stored
   * before this field have none, which reads as 0.
   */
  agentOutboundByCategory: Record<string, number>;
}

/** Agent-state time in the cell, split by overlap with the bucket. */
export interface StateFacts {
  /** ms per state, offline excluded (nothing reads it, and it would create a cell per bucket for every logged-out agent). */
  ms: Record<Exclude<AgentState, 'offline'>, number>;
  /** Away time by reason code ('' for none), split by overlap. */
  awayMsByReason: Record<string, number>;
  /** Away periods by reason, each counted once in the bucket where it started, with its whole duration. */
  breaksByReason: Record<string, { n: number; ms: number }>;
  /** Intervals in the cell still open (counted up to the `asOf` instant of {@link factsFromRecords}). */
  open: number;
}

export interface CellFacts {
  visits: VisitFacts;
  segments: SegmentFacts;
  quality: QualityFacts;
  states: StateFacts;
}

function emptyWait(): WaitFacts {
  return { n: 0, timed: 0, sumMs: 0, maxMs: 0, bySecond: {} };
}

const emptyDirections = (): DirectionCounts => ({ inbound: 0, outbound: 0, unknown: 0 });

/** The facts of a cell with no records: the identity of {@link mergeFacts}. */
export function emptyFacts(): CellFacts {
  return {
    visits: {
      waiting: 0,
      byOutcome: Object.fromEntries(QUEUE_OUTCOMES.map((o) => [o, emptyWait()])) as Record<QueueOutcome, WaitFacts>,
      byDirection: emptyDirections(),
    },
    segments: {
      connected: 0,
      handled: 0,
      talkMs: 0,
      holdMs: 0,
      holds: 0,
      withHold: 0,
      acwMs: 0,
      withAcw: 0,
      acwPending: 0,
      transferred: 0,
      byDirection: emptyDirections(),
    },
    quality: {
      dispositioned: 0,
      resolved: 0,
      dispositionsByCategory: {},
      surveys: 0,
      surveyScores: {},
      ivrSessions: 0,
      ivrSelfServed: 0,
      outboundAttempts: 0,
      outboundConnects: 0,
      outboundAbandoned: 0,
      outboundConnectsByCategory: {},
      agentOutboundByCategory: {},
    },
    states: { ms: { available: 0, busy: 0, wrapup: 0, away: 0 }, awayMsByReason: {}, breaksByReason: {}, open: 0 },
  };
}

/** Adds b's numeric fields into acc's, in place (a field missing on one side counts as 0). */
function addInto(acc: object, b: object): void {
  const target = acc as Record<string, number>;
  const source = b as Record<string, number>;
  // for…in over own plain-JSON keys: no entry arrays allocated, which matters when a month merges ~10⁵ cells.
  for (const k in source) target[k] = (target[k] ?? 0) + (source[k] as number);
}

type HistogramSink = (outcome: QueueOutcome, bySecond: Record<string, number>) => void;

/** Adds b into acc in place (its histograms into `addHistogram`); acc shares no object with b afterwards. */
function accumulate(acc: CellFacts, b: CellFacts, addHistogram: HistogramSink): void {
  acc.visits.waiting += b.visits.waiting;
  for (const o of QUEUE_OUTCOMES) {
    const x = acc.visits.byOutcome[o];
    const y = b.visits.byOutcome[o];
    if (y.n === 0) continue;
    x.n += y.n;
    x.timed += y.timed;
    x.sumMs += y.sumMs;
    x.maxMs = Math.max(x.maxMs, y.maxMs);
    addHistogram(o, y.bySecond);
  }
  addInto(acc.visits.byDirection, b.visits.byDirection);
  // Field by field (no rest copies): a report merges up to ~10⁵ cells, and each copy is garbage.
  const g = acc.segments;
  const h = b.segments;
  g.connected += h.connected;
  g.handled += h.handled;
  g.talkMs += h.talkMs;
  g.holdMs += h.holdMs;
  g.holds += h.holds;
  g.withHold += h.withHold;
  g.acwMs += h.acwMs;
  g.withAcw += h.withAcw;
  g.acwPending += h.acwPending;
  g.transferred += h.transferred;
  addInto(g.byDirection, h.byDirection);
  const q = acc.quality;
  const r = b.quality;
  q.dispositioned += r.dispositioned;
  q.resolved += r.resolved;
  q.surveys += r.surveys;
  q.ivrSessions += r.ivrSessions;
  q.ivrSelfServed += r.ivrSelfServed;
  q.outboundAttempts += r.outboundAttempts;
  q.outboundConnects += r.outboundConnects;
  q.outboundAbandoned += r.outboundAbandoned;
  addInto(q.outboundConnectsByCategory, r.outboundConnectsByCategory);
  addInto(q.agentOutboundByCategory, r.agentOutboundByCategory);
  addInto(q.surveyScores, r.surveyScores);
  addInto(q.dispositionsByCategory, r.dispositionsByCategory);
  addInto(acc.states.ms, b.states.ms);
  addInto(acc.states.awayMsByReason, b.states.awayMsByReason);
  const breaks = b.states.breaksByReason;
  for (const reason in breaks) {
    const x = breaks[reason] as { n: number; ms: number };
    const y = acc.states.breaksByReason[reason];
    if (y) {
      y.n += x.n;
      y.ms += x.ms;
    } else {
      acc.states.breaksByReason[reason] = { n: x.n, ms: x.ms };
    }
  }
  acc.states.open += b.states.open;
}

/**
 * The facts of the union of two disjoint sets of records. Associative and commutative, `emptyFacts()` is its
 * identity; the inputs are left unchanged. (Integer sums stay exact far beyond any contact center's volume.)
 */
export function mergeFacts(a: CellFacts, b: CellFacts): CellFacts {
  const acc = emptyFacts();
  const sink: HistogramSink = (o, h) => addInto(acc.visits.byOutcome[o].bySecond, h);
  accumulate(acc, a, sink);
  accumulate(acc, b, sink);
  return acc;
}

/**
 * Merges any number of facts (the empty facts for none) into one accumulator, in place: a month of a queue is
 * ~3,000 cells, a tenant's ~10⁵, and copying per merge would dominate. Histograms add slot by slot (integer keys:
 * the engine keeps them as array elements); a slot no `waitSlot` gives is corrupt facts and throws.
 */
export function mergeAll(facts: Iterable<CellFacts>): CellFacts {
  const acc = emptyFacts();
  for (const f of facts) addFacts(acc, f);
  return acc;
}

/** Adds `f` into the accumulator `acc`, in place (`mergeAll`, one at a time). */
export function addFacts(acc: CellFacts, f: CellFacts): void {
  accumulate(acc, f, (o, h) => addSlots(acc.visits.byOutcome[o].bySecond, h));
}

/** Adds histogram slots into `into`; a slot no `waitSlot` gives is corrupt facts and throws. */
export function addSlots(into: Record<string, number>, h: Record<string, number>): void {
  for (const k in h) {
    const slot = Number(k);
    if (!(Number.isInteger(slot) && slot >= 0 && slot <= OVER_MAX_SLOT)) throw new RangeError(`wait slot ${k} out of range`);
    into[k] = (into[k] ?? 0) + (h[k] as number);
  }
}

/** A call's direction as a cell key: `unknown` when its interaction says nothing (or was not given). */
export type CellDirection = keyof DirectionCounts;

/**
 * Which cell a record lands in. `queueId` null with an agent: the agent's own cell (all queues, and its state
 * time); both null: the tenant's cell (IVR sessions, and quality facts of calls that never reached a queue).
 * A tenant's total is the merge of its queue cells (agent null) and its tenant cells, never of agent cells too.
 * `direction` is null unless the facts were split by direction, and always for state time (it has none).
 */
export interface CellKey {
  bucketStart: number;
  queueId: string | null;
  agentId: string | null;
  direction: CellDirection | null;
}

export interface Cell extends CellKey {
  facts: CellFacts;
  /**
   * Adds this cell's facts into an accumulator without building them (a cell read from a rollup row: see
   * `probedUnpacker` in packed.ts); merging a report's many cells this way allocates nothing per cell.
   */
  addTo?: (acc: CellFacts) => void;
}

/** The facts of several cells, merged (one cell: its own facts, as they are). */
export function mergeCells(cells: readonly Cell[]): CellFacts {
  if (cells.length === 1) return (cells[0] as Cell).facts;
  const acc = emptyFacts();
  for (const c of cells) {
    if (c.addTo) c.addTo(acc);
    else addFacts(acc, c.facts);
  }
  return acc;
}

export const cellKeyString = (k: CellKey) => `${k.bucketStart}|${k.queueId ?? ''}|${k.agentId ?? ''}|${k.direction ?? ''}`;

export interface RecordsInput {
  visits?: readonly VisitRecord[];
  segments?: readonly SegmentRecord[];
  intervals?: readonly StateInterval[];
  /**
   * The interactions of the visits and segments (direction, disposition, survey, IVR); missing ones count as
   * unknown direction. An outbound interaction with a start is an attempt: pass all its visits and segments.
   */
  interactions?: readonly InteractionFacts[];
}

export interface FactsOptions {
  /** Open state intervals (no `endedAt`) count up to this instant, epoch ms. */
  asOf: number;
  /** Which kinds of cell to build (all by default): queue, queue × agent, agent (its state time too), tenant. */
  cells?: { queue?: boolean; queueAgent?: boolean; agent?: boolean; tenant?: boolean };
  /**
   * Also key cells by the call's direction, so results can be grouped by it; merging a cell's directions gives
   * the unsplit cell. State time is not split (its cells keep direction null).
   */
  splitByDirection?: boolean;
}

/** Where an interaction's disposition and survey are attributed: who handled it last, in which queue, when. */
export interface QualityTarget {
  bucketStart: number;
  queueId: string | null;
  agentId: string | null;
}

/**
 * The cell of an interaction's disposition and survey: its last agent segment (latest connect; the agent who
 * closed the call is the one a survey or a wrap-up disposition speaks about), in the bucket where that segment
 * connected; without a segment, its latest visit (where it started, its answering agent if any); without
 * either, the tenant cell of the instant the fact was reported. Segments and visits are those given, so the
 * caller passes every record of the interaction.
 */
export function qualityCellOf(at: number, segments: readonly SegmentRecord[], visits: readonly VisitRecord[]): QualityTarget {
  const seg = latest(segments, (s) => s.connectedAt);
  if (seg) return { bucketStart: bucketStartOf(seg.connectedAt), queueId: seg.queueId, agentId: seg.agentId };
  const visit = latest(visits, (v) => v.enqueuedAt);
  if (visit) return { bucketStart: bucketStartOf(visit.enqueuedAt), queueId: visit.queueId, agentId: visit.agentId };
  return { bucketStart: bucketStartOf(at), queueId: null, agentId: null };
}

/**
 * The facts of every cell the records touch. A visit counts in the bucket where it started (enqueuedAt), in
 * its queue's cell and, once answered, in its queue × answering agent's cell; a segment where it connected, in
 * its queue, queue × agent and agent cells; state time is split across buckets by overlap, in the agent's
 * cell (offline time is not kept); IVR sessions in the tenant cell of their instant; dispositions and surveys
 * where {@link qualityCellOf} puts them (so do the categories of outbound attempts an agent spoke with); outbound
 * attempts in the tenant cell where the interaction started. The result is sorted by key, and the same for any order of the input.
 *
 * Cells are recomputed from all the records that fall in them, never incremented: to refresh a bucket, pass
 * every record of that bucket (for a quality fact, every visit and segment of its interaction).
 */
export function factsFromRecords(input: RecordsInput, options: FactsOptions): Cell[] {
  const want = { queue: true, queueAgent: true, agent: true, tenant: true, ...options.cells };
  const cells = new Map<string, Cell>();
  const cell = (
    bucketStart: number,
    queueId: string | null,
    agentId: string | null,
    direction: CellDirection | null,
  ): CellFacts => {
    const key = cellKeyString({ bucketStart, queueId, agentId, direction });
    let c = cells.get(key);
    if (!c) {
      c = { bucketStart, queueId, agentId, direction, facts: emptyFacts() };
      cells.set(key, c);
    }
    return c.facts;
  };
  const interactions = new Map((input.interactions ?? []).map((i) => [i.id, i]));
  const directionOf = (interactionId: string): CellDirection => interactions.get(interactionId)?.direction ?? 'unknown';

  /** The cells a record of an interaction with a (queue, agent) lands in, by the kinds asked for. */
  const targets = (
    bucketStart: number,
    queueId: string | null,
    agentId: string | null,
    toAgentCell: boolean,
    interactionId: string,
  ): CellFacts[] => {
    const d = options.splitByDirection ? directionOf(interactionId) : null;
    const out: CellFacts[] = [];
    if (queueId !== null && want.queue) out.push(cell(bucketStart, queueId, null, d));
    if (queueId !== null && agentId !== null && want.queueAgent) out.push(cell(bucketStart, queueId, agentId, d));
    if (agentId !== null && toAgentCell && want.agent) out.push(cell(bucketStart, null, agentId, d));
    if (queueId === null && agentId === null && want.tenant) out.push(cell(bucketStart, null, null, d));
    return out;
  };

  for (const v of input.visits ?? []) {
    // A visit belongs to the agent who answered it only once answered; queue metrics never go to agent cells.
    const agentId = v.outcome === 'answered' ? v.agentId : null;
    for (const f of targets(bucketStartOf(v.enqueuedAt), v.queueId, agentId, false, v.interactionId)) {
      addVisit(f, v, directionOf(v.interactionId));
    }
  }
  for (const s of input.segments ?? []) {
    for (const f of targets(bucketStartOf(s.connectedAt), s.queueId, s.agentId, true, s.interactionId))
      addSegment(f, s, directionOf(s.interactionId));
  }
  for (const i of input.intervals ?? []) {
    if (i.state === 'offline' || !want.agent) continue;
    addInterval((b) => cell(b, null, i.agentId, null), i, options.asOf);
  }

  const segmentsOf = groupBy(input.segments ?? [], (s) => s.interactionId);
  const visitsOf = groupBy(input.visits ?? [], (v) => v.interactionId);
  /** An outbound attempt, in the tenant cell where it started, judged on all its segments and visits. */
  const addAttempt = (i: InteractionFacts, segs: readonly SegmentRecord[], visits: readonly VisitRecord[]) => {
    const { connected, abandoned } = judgeAttempt(segs, visits);
    const category = i.disposition?.category;
    for (const f of targets(bucketStartOf(i.startedAt as number), null, null, false, i.id)) {
      const q = f.quality;
      q.outboundAttempts += 1;
      if (!connected) continue;
      q.outboundConnects += 1;
      if (abandoned) q.outboundAbandoned += 1;
      if (category) q.outboundConnectsByCategory[category] = (q.outboundConnectsByCategory[category] ?? 0) + 1;
    }
  };
  for (const i of interactions.values()) {
    if (i.ivr) {
      for (const f of targets(bucketStartOf(i.ivr.at), null, null, false, i.id)) {
        f.quality.ivrSessions += 1;
        if (i.ivr.selfServed) f.quality.ivrSelfServed += 1;
      }
    }
    const segs = segmentsOf.get(i.id) ?? [];
    if (i.direction === 'outbound' && i.startedAt !== null) addAttempt(i, segs, visitsOf.get(i.id) ?? []);
    const cellsOf = (at: number) => {
      const t = qualityCellOf(at, segs, visitsOf.get(i.id) ?? []);
      // Like the visit it falls back to, a quality fact without a segment stays out of agent cells.
      return targets(t.bucketStart, t.queueId, t.agentId, segs.length > 0, i.id);
    };
    const { disposition, survey } = i;
    if (disposition) {
      const { category } = disposition;
      // An outbound attempt an agent spoke with: its category counts with the agent, where the disposition does.
      const agentOutbound = category && i.direction === 'outbound' && i.startedAt !== null && segs.length > 0;
      for (const f of cellsOf(disposition.at)) {
        f.quality.dispositioned += 1;
        if (disposition.resolved) f.quality.resolved += 1;
        if (category) f.quality.dispositionsByCategory[category] = (f.quality.dispositionsByCategory[category] ?? 0) + 1;
        if (agentOutbound) f.quality.agentOutboundByCategory[category] = (f.quality.agentOutboundByCategory[category] ?? 0) + 1;
      }
    }
    if (survey) {
      const k = surveyScoreKey(survey);
      for (const f of cellsOf(survey.at)) {
        f.quality.surveys += 1;
        f.quality.surveyScores[k] = (f.quality.surveyScores[k] ?? 0) + 1;
      }
    }
  }
  return [...cells.values()].sort(compareCells);
}

/**
 * An outbound attempt judged on all its agent segments and queue visits: it reached a person (connected) when it
 * has either — an agent spoke with the callee, or a predictive dialer queued a live answer; it is a dialer
 * abandon when a visit was abandoned and no agent ever connected (docs/kpis.md `predictiveAbandonRate`).
 */
export function judgeAttempt(
  segments: readonly SegmentRecord[],
  visits: readonly VisitRecord[],
): { connected: boolean; abandoned: boolean } {
  return {
    connected: segments.length > 0 || visits.length > 0,
    abandoned: segments.length === 0 && visits.some((v) => v.outcome === 'abandoned'),
  };
}

/** A survey response's key in `surveyScores`: its scale and score, and its own satisfied threshold when it gave one. */
export function surveyScoreKey(s: { scaleMin: number; scaleMax: number; score: number; satisfiedScore?: number | null }): string {
  const base = `${s.scaleMin}|${s.scaleMax}|${s.score}`;
  return s.satisfiedScore === undefined || s.satisfiedScore === null ? base : `${base}|${s.satisfiedScore}`;
}

/** A `surveyScores` key read back: three parts (no threshold of its own) or four. */
export function parseSurveyScoreKey(key: string): {
  scaleMin: number;
  scaleMax: number;
  score: number;
  satisfiedScore: number | null;
} {
  const [scaleMin, scaleMax, score, satisfiedScore] = key.split('|');
  return {
    scaleMin: Number(scaleMin),
    scaleMax: Number(scaleMax),
    score: Number(score),
    satisfiedScore: satisfiedScore === undefined ? null : Number(satisfiedScore),
  };
}

const compareNullable = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/** Cell order: bucket, then queue, then agent, then direction (null first). */
export function compareCells(a: CellKey, b: CellKey): number {
  return (
    a.bucketStart - b.bucketStart ||
    compareNullable(a.queueId, b.queueId) ||
    compareNullable(a.agentId, b.agentId) ||
    compareNullable(a.direction, b.direction)
  );
}

/** The item with the latest instant, ties broken by the larger id: the same whatever the input order. */
function latest<T extends { id: string }>(items: readonly T[], at: (t: T) => number): T | null {
  let best: T | null = null;
  for (const t of items) {
    if (best === null || at(t) > at(best) || (at(t) === at(best) && t.id > best.id)) best = t;
  }
  return best;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

function addVisit(f: CellFacts, v: VisitRecord, direction: keyof DirectionCounts): void {
  f.visits.byDirection[direction] += 1;
  if (v.outcome === null) {
    f.visits.waiting += 1;
    return;
  }
  const w = f.visits.byOutcome[v.outcome];
  w.n += 1;
  if (v.waitMs === null) return;
  const waitMs = Math.max(0, v.waitMs);
  w.timed += 1;
  w.sumMs += waitMs;
  w.maxMs = Math.max(w.maxMs, waitMs);
  const slot = String(waitSlot(waitMs));
  w.bySecond[slot] = (w.bySecond[slot] ?? 0) + 1;
}

function addSegment(f: CellFacts, s: SegmentRecord, direction: keyof DirectionCounts): void {
  const g = f.segments;
  g.connected += 1;
  // Talk is known once the agent disconnected (records.ts): until then the segment is being handled, not handled.
  if (s.disconnectedAt === null || s.talkMs === null) return;
  g.handled += 1;
  g.byDirection[direction] += 1;
  g.talkMs += s.talkMs;
  g.holdMs += s.holdMs;
  g.holds += s.holdCount;
  if (s.holdCount > 0 || s.holdMs > 0) g.withHold += 1;
  if (s.acwMs !== null) {
    g.acwMs += s.acwMs;
    g.withAcw += 1;
  } else if (s.wrapupStartedAt !== null) {
    g.acwPending += 1;
  }
  if (s.transferred) g.transferred += 1;
}

function addInterval(cellAt: (bucketStart: number) => CellFacts, i: StateInterval, asOf: number): void {
  const state = i.state as Exclude<AgentState, 'offline'>;
  const end = Math.max(i.startedAt, i.endedAt ?? asOf);
  const reason = i.reason ?? '';
  const first = cellAt(bucketStartOf(i.startedAt));
  if (i.endedAt === null) first.states.open += 1;
  if (state === 'away') {
    const b = first.states.breaksByReason[reason] ?? { n: 0, ms: 0 };
    first.states.breaksByReason[reason] = { n: b.n + 1, ms: b.ms + (end - i.startedAt) };
  }
  for (let b = bucketStartOf(i.startedAt); b < end; b += BUCKET_MS) {
    const ms = Math.min(end, b + BUCKET_MS) - Math.max(i.startedAt, b);
    if (ms <= 0) continue;
    const f = cellAt(b);
    f.states.ms[state] += ms;
    if (state === 'away') f.states.awayMsByReason[reason] = (f.states.awayMsByReason[reason] ?? 0) + ms;
  }
}

/** The agent states {@link StateFacts} keeps time for. */
export const TIMED_STATES = AGENT_STATES.filter((s): s is Exclude<AgentState, 'offline'> => s !== 'offline');
