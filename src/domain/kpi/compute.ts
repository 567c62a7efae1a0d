import { FLOW_OUT_OUTCOMES, QUEUE_OUTCOMES, type QueueOutcome } from '../events/event-types';
import type { ServiceLevelPolicy } from '../settings';
import {
  BY_CATEGORY_METRICS,
  BY_REASON_METRICS,
  type ByCategoryMetricId,
  type ByReasonMetricId,
  type FactMetricId,
  type MetricId,
  type MetricUnit,
  metricDefinition,
} from './catalog';
import { type CellFacts, MAX_THRESHOLD_SECONDS, parseSurveyScoreKey, type WaitFacts } from './facts';
import type { WaitProbe } from './packed';

/**
 * The policy a computation runs under: the service-level policy (the tenant's, a queue's, or a request's
 * override of any field; thresholds may be any whole second 0..3600), the CSAT satisfied score for responses
 * that gave no threshold of their own (null or absent: top-2-box on each response's scale; see
 * {@link satisfiedFloor}), the disposition categories that are complaints and those that are right-party
 * contacts of outbound calls (absent: none).
 */
export type KpiPolicy = ServiceLevelPolicy & {
  csatSatisfiedScore?: number | null;
  complaintCategories?: readonly string[];
  rightPartyCategories?: readonly string[];
};

export interface MetricValue {
  /** null when the denominator is 0 (or, for the longest wait, when no visit was timed). */
  value: number | null;
  numerator: number;
  /** null for counts and totals, where the value is the numerator. */
  denominator: number | null;
  unit: MetricUnit;
}

/** Visits of an outcome with a known wait of at most `seconds` (exact: the histogram is per whole second). */
export function countWithin(w: WaitFacts, seconds: number): number {
  let n = 0;
  const h = w.bySecond;
  for (const slot in h) if (Number(slot) <= seconds) n += h[slot] as number;
  return n;
}

function checkSeconds(name: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_THRESHOLD_SECONDS) {
    throw new RangeError(`${name} must be a whole number of seconds from 0 to ${MAX_THRESHOLD_SECONDS}, got ${seconds}`);
  }
}

type Parts = { numerator: number; denominator: number | null; max?: boolean };

const offered = (f: CellFacts) => f.visits.waiting + QUEUE_OUTCOMES.reduce((n, o) => n + f.visits.byOutcome[o].n, 0);
const flowedOut = (f: CellFacts) => FLOW_OUT_OUTCOMES.reduce((n, o) => n + f.visits.byOutcome[o].n, 0);
const shortAbandons = (f: CellFacts, p: KpiPolicy) => countWithin(f.visits.byOutcome.abandoned, p.shortAbandonSeconds);
/** Short abandons taken out of rates, when the policy excludes them. */
const excludedShort = (f: CellFacts, p: KpiPolicy) => (p.excludeShortAbandons ? shortAbandons(f, p) : 0);
const timed = (f: CellFacts) => QUEUE_OUTCOMES.reduce((n, o) => n + f.visits.byOutcome[o].timed, 0);
const count = (n: number): Parts => ({ numerator: n, denominator: null });
const ratio = (numerator: number, denominator: number): Parts => ({ numerator, denominator });
const handle = (f: CellFacts) => f.segments.talkMs + f.segments.holdMs + f.segments.acwMs;
const loggedIn = (f: CellFacts) => f.states.ms.available + f.states.ms.busy + f.states.ms.wrapup + f.states.ms.away;
const working = (f: CellFacts) => f.states.ms.busy + f.states.ms.wrapup;
const sumBreaks = (f: CellFacts, field: 'n' | 'ms') => Object.values(f.states.breaksByReason).reduce((n, b) => n + b[field], 0);

/**
 * Service level under a policy. Met: answered with wait ≤ T; when abandons within T count as met, also the
 * abandons within T that are in the denominator (so the ratio never exceeds 1). Denominator: answered, plus
 * abandons when they count (less the short ones when those are excluded), plus flow-outs when they count.
 */
function serviceLevel(f: CellFacts, p: KpiPolicy): Parts {
  const answered = f.visits.byOutcome.answered;
  const abandoned = f.visits.byOutcome.abandoned;
  const T = p.thresholdSeconds;
  let numerator = countWithin(answered, T);
  let denominator = answered.n + (p.flowOutsInDenominator ? flowedOut(f) : 0);
  if (p.abandonsInDenominator) {
    denominator += abandoned.n - excludedShort(f, p);
    if (p.abandonsWithinThresholdMet) {
      const shortWithinT = p.excludeShortAbandons ? countWithin(abandoned, Math.min(T, p.shortAbandonSeconds)) : 0;
      numerator += countWithin(abandoned, T) - shortWithinT;
    }
  }
  return { numerator, denominator };
}

/**
 * The score at or above which a response is satisfied, in this order: the survey's own `satisfiedScore` when it
 * gave one (it knows its scale and question), else the policy's `csatSatisfiedScore` (a request's override),
 * else top-2-box on the response's own scale (scaleMax − 1).
 */
export function satisfiedFloor(
  survey: { scaleMax: number; satisfiedScore?: number | null },
  p: Pick<KpiPolicy, 'csatSatisfiedScore'>,
): { floor: number; by: 'survey' | 'policy' | 'top2box' } {
  if (survey.satisfiedScore !== undefined && survey.satisfiedScore !== null)
    return { floor: survey.satisfiedScore, by: 'survey' };
  if (p.csatSatisfiedScore !== undefined && p.csatSatisfiedScore !== null) return { floor: p.csatSatisfiedScore, by: 'policy' };
  return { floor: survey.scaleMax - 1, by: 'top2box' };
}

/** Satisfied responses: score ≥ its {@link satisfiedFloor}. */
function satisfied(f: CellFacts, p: KpiPolicy): number {
  let n = 0;
  for (const [key, responses] of Object.entries(f.quality.surveyScores)) {
    const s = parseSurveyScoreKey(key);
    if (s.score >= satisfiedFloor(s, p).floor) n += responses;
  }
  return n;
}

/** The sum of survey scores, added in key order: a float sum that does not depend on how cells were merged. */
function scoreSum(f: CellFacts): number {
  let sum = 0;
  for (const key of Object.keys(f.quality.surveyScores).sort()) {
    sum += parseSurveyScoreKey(key).score * (f.quality.surveyScores[key] as number);
  }
  return sum;
}

/** Dispositioned calls whose category is one of the policy's complaint categories. */
function complaints(f: CellFacts, p: KpiPolicy): number {
  let n = 0;
  for (const category of new Set(p.complaintCategories ?? [])) n += f.quality.dispositionsByCategory[category] ?? 0;
  return n;
}

/** Outbound connects whose disposition category is one of the policy's right-party categories. */
function rightPartyContacts(f: CellFacts, p: KpiPolicy): number {
  let n = 0;
  for (const category of new Set(p.rightPartyCategories ?? [])) n += f.quality.outboundConnectsByCategory[category] ?? 0;
  return n;
}

/** Outbound connects an agent handled whose disposition category is one of the policy's right-party categories. */
function agentRightPartyContacts(f: CellFacts, p: KpiPolicy): number {
  let n = 0;
  for (const category of new Set(p.rightPartyCategories ?? [])) n += f.quality.agentOutboundByCategory[category] ?? 0;
  return n;
}

/** An hour in ms: the denominator of a metric per hour is a time in hours. */
export const HOUR_MS = 3_600_000;

const FORMULAS: Record<FactMetricId, (f: CellFacts, p: KpiPolicy) => Parts> = {
  offered: (f) => count(offered(f)),
  waiting: (f) => count(f.visits.waiting),
  answered: (f) => count(f.visits.byOutcome.answered.n),
  abandoned: (f) => count(f.visits.byOutcome.abandoned.n),
  shortAbandons: (f, p) => count(shortAbandons(f, p)),
  flowedOut: (f) => count(flowedOut(f)),
  flowedOutTimeout: (f) => count(f.visits.byOutcome.timeout.n),
  flowedOutNoAgents: (f) => count(f.visits.byOutcome.no_agents.n),
  flowedOutExitKey: (f) => count(f.visits.byOutcome.exit_key.n),
  flowedOutTransferred: (f) => count(f.visits.byOutcome.transferred.n),
  flowedOutRejectedFull: (f) => count(f.visits.byOutcome.rejected_full.n),
  unknown: (f) => count(f.visits.byOutcome.unknown.n),
  otherOutcomes: (f) => count(f.visits.byOutcome.error.n + f.visits.byOutcome.other.n),
  serviceLevel,
  answerRate: (f, p) => ratio(f.visits.byOutcome.answered.n, offered(f) - excludedShort(f, p)),
  abandonRate: (f, p) => ratio(f.visits.byOutcome.abandoned.n - excludedShort(f, p), offered(f) - excludedShort(f, p)),
  asa: (f) => ratio(f.visits.byOutcome.answered.sumMs, f.visits.byOutcome.answered.timed),
  avgQueueTime: (f) =>
    ratio(
      QUEUE_OUTCOMES.reduce((n, o) => n + f.visits.byOutcome[o].sumMs, 0),
      timed(f),
    ),
  avgAbandonTime: (f) => ratio(f.visits.byOutcome.abandoned.sumMs, f.visits.byOutcome.abandoned.timed),
  maxWait: (f) => ({
    numerator: QUEUE_OUTCOMES.reduce((m, o) => Math.max(m, f.visits.byOutcome[o].maxMs), 0),
    denominator: timed(f),
    max: true,
  }),
  avgTalkTime: (f) => ratio(f.segments.talkMs, f.segments.handled),
  avgHoldTime: (f) => ratio(f.segments.holdMs, f.segments.withHold),
  avgAcw: (f) => ratio(f.segments.acwMs, f.segments.withAcw),
  aht: (f) => ratio(handle(f), f.segments.handled),
  avgTalkPlusAcw: (f) => ratio(f.segments.talkMs + f.segments.acwMs, f.segments.handled),
  transferRate: (f) => ratio(f.segments.transferred, f.segments.handled),
  holdRate: (f) => ratio(f.segments.withHold, f.segments.handled),
  inbound: (f) => count(f.visits.byDirection.inbound),
  outbound: (f) => count(f.segments.byDirection.outbound),
  fcrDisposition: (f) => ratio(f.quality.resolved, f.quality.dispositioned),
  csat: (f, p) => ratio(satisfied(f, p), f.quality.surveys),
  csatMean: (f) => ratio(scoreSum(f), f.quality.surveys),
  complaints: (f, p) => count(complaints(f, p)),
  complaintRate: (f, p) => ratio(complaints(f, p), f.quality.dispositioned),
  surveyResponses: (f) => count(f.quality.surveys),
  ivrSelfServiceRate: (f) => ratio(f.quality.ivrSelfServed, f.quality.ivrSessions),
  outboundAttempts: (f) => count(f.quality.outboundAttempts),
  outboundConnects: (f) => count(f.quality.outboundConnects),
  connectRate: (f) => ratio(f.quality.outboundConnects, f.quality.outboundAttempts),
  rightPartyContacts: (f, p) => count(rightPartyContacts(f, p)),
  rightPartyRate: (f, p) => ratio(rightPartyContacts(f, p), f.quality.outboundConnects),
  predictiveAbandonRate: (f) => ratio(f.quality.outboundAbandoned, f.quality.outboundConnects),
  handled: (f) => count(f.segments.handled),
  agentAht: (f) => ratio(handle(f), f.segments.handled),
  loggedInTime: (f) => count(loggedIn(f)),
  availableTime: (f) => count(f.states.ms.available),
  busyTime: (f) => count(f.states.ms.busy),
  wrapupTime: (f) => count(f.states.ms.wrapup),
  awayTime: (f) => count(f.states.ms.away),
  breaks: (f) => count(sumBreaks(f, 'n')),
  breakTime: (f) => count(sumBreaks(f, 'ms')),
  avgBreakTime: (f) => ratio(sumBreaks(f, 'ms'), sumBreaks(f, 'n')),
  occupancy: (f) => ratio(working(f), working(f) + f.states.ms.available),
  utilization: (f) => ratio(working(f) + f.states.ms.available, loggedIn(f)),
  contactsPerHour: (f, p) => ratio(agentRightPartyContacts(f, p), loggedIn(f) / HOUR_MS),
};

function toValue(parts: Parts, unit: MetricUnit): MetricValue {
  const { numerator, denominator } = parts;
  if (denominator === null) return { value: numerator, numerator, denominator, unit };
  if (denominator === 0) return { value: null, numerator, denominator, unit };
  return { value: parts.max ? numerator : numerator / denominator, numerator, denominator, unit };
}

/**
 * One metric of one cell's (or merged cells') facts under a policy. Throws a RangeError for a threshold that is
 * not a whole second in 0..3600 (facts are exact only for those), and for a metric not computed from facts.
 */
export function computeMetric(id: FactMetricId, facts: CellFacts, policy: KpiPolicy): MetricValue {
  const formula = FORMULAS[id];
  if (!formula) throw new RangeError(`${id} is not computed from cell facts`);
  checkSeconds('thresholdSeconds', policy.thresholdSeconds);
  checkSeconds('shortAbandonSeconds', policy.shortAbandonSeconds);
  return toValue(formula(facts, policy), metricDefinition(id).unit);
}

/**
 * What these metrics read of the wait histograms under these policies: the outcomes whose histogram their
 * catalog facts name, and every threshold of every policy (`countWithin` is only ever asked at those). Facts
 * whose histograms hold just those counts (src/domain/kpi/packed.ts `unpackProbed`) give the same values.
 * Undefined when no metric reads a histogram.
 */
export function waitProbeFor(ids: readonly MetricId[], policies: readonly KpiPolicy[]): WaitProbe | undefined {
  const outcomes = new Set<QueueOutcome>();
  for (const id of ids) {
    for (const fact of metricDefinition(id).facts) {
      const m = /^visits\.byOutcome\.([a-z_]+)\.bySecond$/.exec(fact);
      if (m) outcomes.add(m[1] as QueueOutcome);
    }
  }
  if (outcomes.size === 0) return undefined;
  const thresholds = new Set<number>();
  for (const p of policies) {
    thresholds.add(p.thresholdSeconds);
    thresholds.add(p.shortAbandonSeconds);
  }
  return { outcomes: QUEUE_OUTCOMES.filter((o) => outcomes.has(o)), thresholds: [...thresholds].sort((a, b) => a - b) };
}

/** The top-level branches of cell facts. */
export const FACT_BRANCHES = ['visits', 'segments', 'quality', 'states'] as const;
export type FactBranch = (typeof FACT_BRANCHES)[number];

/**
 * The branches of cell facts that these metrics read — their catalog facts, and what a report reads to tell a
 * value partial (visits still waiting for queue metrics, state intervals still open for agent metrics: `statusOf`
 * in report.ts). A report over facts holding only these branches gives the same rows.
 */
export function factBranchesFor(ids: readonly MetricId[]): FactBranch[] {
  const branches = new Set<FactBranch>();
  for (const id of ids) {
    const def = metricDefinition(id);
    for (const fact of def.facts) {
      const b = fact.split('.')[0] as FactBranch;
      if ((FACT_BRANCHES as readonly string[]).includes(b)) branches.add(b);
    }
    if (def.scope === 'queue') branches.add('visits');
    if (def.scope === 'agent') branches.add('states');
  }
  return FACT_BRANCHES.filter((b) => branches.has(b));
}

/** Several metrics at once, keyed by id. */
export function computeMetrics<I extends FactMetricId>(
  ids: readonly I[],
  facts: CellFacts,
  policy: KpiPolicy,
): Record<I, MetricValue> {
  return Object.fromEntries(ids.map((id) => [id, computeMetric(id, facts, policy)])) as Record<I, MetricValue>;
}

/**
 * Whether a metric's value may still change for records already in the facts: visits still waiting (for
 * metrics of visits), segments still connected or wrapping up (of segments), state intervals still open (of
 * states). An interval not yet over, or an open repeat-caller window, is for the caller to add.
 */
export function isPartial(id: MetricId, facts: CellFacts): boolean {
  const reads = (prefix: string) => metricDefinition(id).facts.some((f) => f.startsWith(prefix));
  return (
    (reads('visits.') && facts.visits.waiting > 0) ||
    (reads('segments.') && (facts.segments.connected > facts.segments.handled || facts.segments.acwPending > 0)) ||
    (reads('states.') && facts.states.open > 0)
  );
}

export function isByReasonMetric(id: string): id is ByReasonMetricId {
  return (BY_REASON_METRICS as readonly string[]).includes(id);
}

/** A by-reason metric (away time, breaks, break time, average break) per reason code; '' is "no reason given". */
export function computeByReason(id: ByReasonMetricId, facts: CellFacts): Record<string, MetricValue> {
  const { unit } = metricDefinition(id);
  const reasons = new Set([...Object.keys(facts.states.awayMsByReason), ...Object.keys(facts.states.breaksByReason)]);
  const out: Record<string, MetricValue> = {};
  for (const reason of [...reasons].sort()) {
    const away = facts.states.awayMsByReason[reason] ?? 0;
    const b = facts.states.breaksByReason[reason] ?? { n: 0, ms: 0 };
    const parts =
      id === 'awayTime' ? count(away) : id === 'breaks' ? count(b.n) : id === 'breakTime' ? count(b.ms) : ratio(b.ms, b.n);
    out[reason] = toValue(parts, unit);
  }
  return out;
}

export function isByCategoryMetric(id: string): id is ByCategoryMetricId {
  return (BY_CATEGORY_METRICS as readonly string[]).includes(id);
}

/**
 * A complaint metric per complaint category of the policy (every one of them, 0 when none was seen, so a chart
 * gets its zeros): complaints of that category, or their share of the dispositioned calls.
 */
export function computeByCategory(id: ByCategoryMetricId, facts: CellFacts, policy: KpiPolicy): Record<string, MetricValue> {
  const { unit } = metricDefinition(id);
  const out: Record<string, MetricValue> = {};
  for (const category of [...new Set(policy.complaintCategories ?? [])].sort()) {
    const n = facts.quality.dispositionsByCategory[category] ?? 0;
    out[category] = toValue(id === 'complaints' ? count(n) : ratio(n, facts.quality.dispositioned), unit);
  }
  return out;
}

/** The wait-bucket edges reported beside the service level, seconds (the last bucket is open-ended). */
export const WAIT_BUCKET_EDGES = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600] as const;

export interface WaitBucket {
  /** Waits above this (the first bucket starts at 0 inclusive), seconds. */
  fromSeconds: number;
  /** Waits up to and including this; null: no upper bound. */
  toSeconds: number | null;
  answered: number;
  abandoned: number;
}

/**
 * Answered and abandoned visits per wait bucket, so a client can apply any formula of its own: bucket i holds
 * waits in (edge[i−1], edge[i]] seconds, the first [0, edge[0]], the last above the last edge. Exact for any
 * whole-second edges from 0 to 3600, given in increasing order.
 */
export function waitBuckets(facts: CellFacts, edges: readonly number[] = WAIT_BUCKET_EDGES): WaitBucket[] {
  edges.forEach((e, i) => {
    checkSeconds('a wait-bucket edge', e);
    if (i > 0 && e <= (edges[i - 1] as number)) throw new RangeError('wait-bucket edges must increase');
  });
  const { answered, abandoned } = facts.visits.byOutcome;
  const out: WaitBucket[] = [];
  let before = { answered: 0, abandoned: 0 };
  for (const [i, edge] of [...edges, null].entries()) {
    const upTo =
      edge === null
        ? { answered: answered.timed, abandoned: abandoned.timed }
        : { answered: countWithin(answered, edge), abandoned: countWithin(abandoned, edge) };
    out.push({
      fromSeconds: i === 0 ? 0 : (edges[i - 1] as number),
      toSeconds: edge,
      answered: upTo.answered - before.answered,
      abandoned: upTo.abandoned - before.abandoned,
    });
    before = upTo;
  }
  return out;
}
