import type { SegmentRecord, VisitRecord } from '../calls/records';
import { type FactMetricId, type MetricDefinition, metricDefinition } from './catalog';
import { computeMetric, type KpiPolicy, type MetricValue } from './compute';
import { addFacts, BUCKET_MS, bucketStartOf, type CellFacts, emptyFacts, factsFromRecords } from './facts';

/**
 * Live KPIs of one queue: the same facts and formulas as `/v1/kpis` (`factsFromRecords`, `computeMetric`),
 * over the records a QueueDO holds, kept incrementally so a push four times a second costs a merge of cached
 * 15-minute facts, not a pass over the day's records.
 *
 * The live metrics are the queue metrics a queue's own records decide — its visits and its agents' segments:
 * quality (disposition, CSAT) and direction metrics need every queue's view of a call and come from
 * `/v1/kpis` only.
 */
export const LIVE_METRICS = [
  'offered',
  'waiting',
  'answered',
  'abandoned',
  'shortAbandons',
  'flowedOut',
  'flowedOutTimeout',
  'flowedOutNoAgents',
  'flowedOutExitKey',
  'flowedOutTransferred',
  'flowedOutRejectedFull',
  'unknown',
  'otherOutcomes',
  'serviceLevel',
  'answerRate',
  'abandonRate',
  'asa',
  'avgQueueTime',
  'avgAbandonTime',
  'maxWait',
  'avgTalkTime',
  'avgHoldTime',
  'avgAcw',
  'aht',
  'avgTalkPlusAcw',
  'transferRate',
  'holdRate',
] as const satisfies readonly FactMetricId[];

/** Whether a catalog metric is one a queue decides alone (what {@link LIVE_METRICS} must list: live.test.ts). */
export function decidedByQueueAlone(m: MetricDefinition): boolean {
  return (
    m.scope === 'queue' &&
    m.fromFacts &&
    m.facts.every((f) => (f.startsWith('visits.') || f.startsWith('segments.')) && !f.includes('byDirection'))
  );
}
export type LiveMetricId = (typeof LIVE_METRICS)[number];

/** The rolling windows a live snapshot carries, in minutes. */
export const LIVE_WINDOWS_MINUTES = [15, 30, 60] as const;

/** One interaction's records in this queue, as the live index keeps them. */
export interface LiveRecords {
  visits: readonly VisitRecord[];
  segments: readonly SegmentRecord[];
}

/** The instant a record counts at: a visit where it started, a segment where it connected (as in `factsFromRecords`). */
const visitAt = (v: VisitRecord) => v.enqueuedAt;
const segmentAt = (s: SegmentRecord) => s.connectedAt;

/**
 * An incremental index of a queue's records by 15-minute bucket, with each bucket's facts cached until one of its
 * records changes. `replace` an interaction's records whenever they are projected again; `facts(from, to)` is then
 * exactly `factsFromRecords` over the records counted in [from, to) (the property test in live.test.ts holds it
 * to that), whole buckets from the cache and the partial ones at the edges from their records.
 */
export class LiveFactsIndex {
  private readonly records = new Map<string, { r: LiveRecords; buckets: number[] }>();
  private readonly members = new Map<number, Set<string>>();
  private readonly cache = new Map<number, CellFacts>();

  /** Records of `interactionId` now (null or empty: it has none in this index). */
  replace(interactionId: string, records: LiveRecords | null): void {
    const old = this.records.get(interactionId);
    if (old) {
      for (const b of old.buckets) {
        this.cache.delete(b);
        const m = this.members.get(b);
        m?.delete(interactionId);
        if (m?.size === 0) this.members.delete(b);
      }
      this.records.delete(interactionId);
    }
    if (!records || (records.visits.length === 0 && records.segments.length === 0)) return;
    const buckets = new Set<number>();
    for (const v of records.visits) buckets.add(bucketStartOf(visitAt(v)));
    for (const s of records.segments) buckets.add(bucketStartOf(segmentAt(s)));
    for (const b of buckets) {
      this.cache.delete(b);
      let m = this.members.get(b);
      if (!m) {
        m = new Set();
        this.members.set(b, m);
      }
      m.add(interactionId);
    }
    this.records.set(interactionId, { r: records, buckets: [...buckets] });
  }

  /** Forgets interactions with nothing counted at or after `before` (a day that no window reads any more). */
  forgetBefore(before: number): void {
    const from = bucketStartOf(before);
    for (const [id, { buckets }] of this.records) {
      if (buckets.every((b) => b < from)) this.replace(id, null);
    }
  }

  /** How many interactions the index holds. */
  get size(): number {
    return this.records.size;
  }

  /** The facts of every record counted in [from, to), for this queue (`factsFromRecords`' queue cells, merged). */
  facts(from: number, to: number): CellFacts {
    const acc = emptyFacts();
    if (to <= from) return acc;
    for (const [b, ids] of this.members) {
      if (b + BUCKET_MS <= from || b >= to) continue;
      if (b >= from && b + BUCKET_MS <= to) {
        addFacts(acc, this.bucketFacts(b, ids));
        continue;
      }
      // A bucket the range cuts: only its records counted inside the range.
      const visits: VisitRecord[] = [];
      const segments: SegmentRecord[] = [];
      for (const id of ids) {
        const r = this.records.get(id)?.r;
        if (!r) continue;
        for (const v of r.visits) if (bucketStartOf(visitAt(v)) === b && visitAt(v) >= from && visitAt(v) < to) visits.push(v);
        for (const s of r.segments)
          if (bucketStartOf(segmentAt(s)) === b && segmentAt(s) >= from && segmentAt(s) < to) segments.push(s);
      }
      addFacts(acc, queueFacts(visits, segments));
    }
    return acc;
  }

  private bucketFacts(b: number, ids: ReadonlySet<string>): CellFacts {
    const cached = this.cache.get(b);
    if (cached) return cached;
    const visits: VisitRecord[] = [];
    const segments: SegmentRecord[] = [];
    for (const id of ids) {
      const r = this.records.get(id)?.r;
      if (!r) continue;
      for (const v of r.visits) if (bucketStartOf(visitAt(v)) === b) visits.push(v);
      for (const s of r.segments) if (bucketStartOf(segmentAt(s)) === b) segments.push(s);
    }
    const facts = queueFacts(visits, segments);
    this.cache.set(b, facts);
    return facts;
  }
}

/** The queue-cell facts of records (all of one queue), merged over their buckets. */
export function queueFacts(visits: readonly VisitRecord[], segments: readonly SegmentRecord[]): CellFacts {
  const acc = emptyFacts();
  for (const c of factsFromRecords(
    { visits, segments },
    { asOf: 0, cells: { queue: true, queueAgent: false, agent: false, tenant: false } },
  )) {
    addFacts(acc, c.facts);
  }
  return acc;
}

/** The live metrics of some facts under a policy, keyed by id (each with its numerator and denominator). */
export function liveMetrics(facts: CellFacts, policy: KpiPolicy): Record<LiveMetricId, MetricValue> {
  return Object.fromEntries(LIVE_METRICS.map((id) => [id, computeMetric(id, facts, policy)])) as Record<
    LiveMetricId,
    MetricValue
  >;
}

/**
 * Totals of several queues' live metrics (a site's, a tenant's): each numerator and denominator summed — each
 * queue judged under its own policy — and the value recomputed; a maximum is the largest. For queues under one
 * policy this is exactly the metric of their merged facts (live.test.ts).
 */
export function sumLiveMetrics(parts: readonly Record<LiveMetricId, MetricValue>[]): Record<LiveMetricId, MetricValue> {
  const out = {} as Record<LiveMetricId, MetricValue>;
  for (const id of LIVE_METRICS) {
    const def = metricDefinition(id);
    let numerator = 0;
    let denominator: number | null = def.denominator === null ? null : 0;
    for (const p of parts) {
      const v = p[id];
      numerator = def.kind === 'max' ? Math.max(numerator, v.numerator) : numerator + v.numerator;
      if (denominator !== null) denominator += v.denominator ?? 0;
    }
    const value =
      denominator === null ? numerator : denominator === 0 ? null : def.kind === 'max' ? numerator : numerator / denominator;
    out[id] = { value, numerator, denominator, unit: def.unit };
  }
  return out;
}
