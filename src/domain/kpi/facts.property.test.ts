import { describe, expect, it } from 'vitest';
import type { StateInterval } from '../agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import { AGENT_STATES, FLOW_OUT_OUTCOMES, QUEUE_OUTCOMES, type QueueOutcome } from '../events/event-types';
import { type FactMetricId, METRICS } from './catalog';
import { computeMetric, type KpiPolicy, type MetricValue } from './compute';
import {
  BUCKET_MS,
  type Cell,
  type CellDirection,
  type CellFacts,
  emptyFacts,
  factsFromRecords,
  mergeAll,
  mergeFacts,
} from './facts';
import { prng, T0 } from './test-records';

/**
 * Property: for random records, thresholds and policies, merging the cells' facts in any order and grouping
 * and computing a metric gives what a direct computation over the raw records gives. The reference below
 * works on the records and milliseconds (waitMs <= T * 1000), never through facts or wait slots.
 */

const BUCKETS = 12;
const END = T0 + BUCKETS * BUCKET_MS;
const QUEUES = ['q1', 'q2'];
const AGENTS = ['a1', 'a2', 'a3'];
const CATEGORIES = ['billing', 'rude_agent', 'info', 'sales'];
const FACT_METRICS = METRICS.filter((m) => m.fromFacts).map((m) => m.id as FactMetricId);

type Rand = ReturnType<typeof prng>;

/** Waits that sit on, just under and just over whole seconds (where ≤ T is decided), and far beyond 3600 s. */
function randomWait(r: Rand): number {
  const s = r.pick([r.int(0, 30), r.int(0, 3601), 3600, 3601, r.int(3600, 9000)]);
  return Math.max(0, s * 1000 + r.pick([0, 0, 1, -1, r.int(-999, 999)]));
}

interface Records {
  visits: VisitRecord[];
  segments: SegmentRecord[];
  intervals: StateInterval[];
  interactions: InteractionFacts[];
  asOf: number;
}

function randomRecords(r: Rand): Records {
  const visits: VisitRecord[] = [];
  const segments: SegmentRecord[] = [];
  const interactions: InteractionFacts[] = [];
  const at = () => r.int(T0 - BUCKET_MS, END + BUCKET_MS);
  const n = r.int(0, 60);
  for (let i = 0; i < n; i++) {
    const id = `i${i}`;
    const start = at();
    for (let k = r.int(0, 2), ord = 0; ord < k; ord++) {
      const outcome: QueueOutcome | null = r.bool(0.1) ? null : r.pick([...QUEUE_OUTCOMES, 'answered', 'answered', 'abandoned']);
      const wait = outcome === null || (outcome === 'unknown' && r.bool(0.7)) || r.bool(0.03) ? null : randomWait(r);
      const agentId = outcome === 'answered' && r.bool(0.9) ? r.pick(AGENTS) : null;
      const enqueuedAt = start + ord * 60_000;
      visits.push({
        id: `${id}|${ord}`,
        interactionId: id,
        queueId: r.pick(QUEUES),
        legId: null,
        enqueuedAt,
        enqueuedAtSource: 'provider',
        leftAt: wait === null ? null : enqueuedAt + wait,
        outcome,
        closedBy: outcome === null ? null : 'event',
        waitMs: wait,
        agentId,
        answeredAt: null,
      });
    }
    for (let k = r.int(0, 2), ord = 0; ord < k; ord++) {
      const connectedAt = start + r.int(0, 40 * 60_000);
      const done = r.bool(0.85);
      const holdMs = r.bool(0.3) ? r.int(1, 120_000) : 0;
      const wrap = r.pick(['none', 'done', 'pending'] as const);
      segments.push({
        id: `${id}|s${ord}`,
        interactionId: id,
        agentId: r.pick(AGENTS),
        queueId: r.pick(QUEUES),
        visitId: null,
        connectedAt,
        disconnectedAt: done ? connectedAt + r.int(1_000, 900_000) : null,
        talkMs: done ? r.int(0, 900_000) : null,
        holdMs,
        holdCount: holdMs > 0 ? r.int(1, 3) : 0,
        onHoldSince: null,
        wrapupStartedAt: wrap === 'none' ? null : connectedAt + 1,
        wrapupEndedAt: wrap === 'done' ? connectedAt + 2 : null,
        acwMs: wrap === 'done' ? r.int(0, 300_000) : null,
        transferred: r.bool(0.2),
        endedBy: null,
      });
    }
    if (r.bool(0.9)) {
      const scaleMax = r.pick([5, 10]);
      interactions.push({
        id,
        direction: r.pick(['inbound', 'outbound', null] as const),
        callerHash: null,
        callerMasked: null,
        // Now and then no interaction.started was seen: not an attempt, whatever its direction.
        startedAt: r.bool(0.1) ? null : start,
        endedAt: null,
        hangupCause: null,
        endedBy: null,
        disposition: r.bool(0.4)
          ? {
              resolved: r.bool(),
              code: null,
              ...(r.bool(0.6) ? { category: r.pick(CATEGORIES) } : {}),
              at: at(),
            }
          : null,
        survey: r.bool(0.4)
          ? {
              score: r.int(1, scaleMax),
              scaleMin: 1,
              scaleMax,
              ...(r.bool(0.4) ? { satisfiedScore: r.int(1, scaleMax) } : {}),
              at: at(),
            }
          : null,
        ivr: r.bool(0.3) ? { selfServed: r.bool(), at: at() } : null,
      });
    }
  }
  const intervals: StateInterval[] = [];
  for (const agentId of AGENTS) {
    let t = T0 - r.int(0, BUCKET_MS);
    for (let i = 0; t < END && i < 40; i++) {
      const last = r.bool(0.1);
      const endedAt = last ? null : t + r.pick([r.int(1, 60_000), r.int(1, 3 * BUCKET_MS)]);
      intervals.push({
        id: `${agentId}|${i}`,
        agentId,
        state: r.pick(AGENT_STATES),
        reason: r.pick([null, 'lunch', 'training']),
        startedAt: t,
        endedAt,
      });
      if (endedAt === null) break;
      t = endedAt;
    }
  }
  return { visits, segments, intervals, interactions, asOf: END + r.int(-2 * BUCKET_MS, BUCKET_MS) };
}

function randomPolicy(r: Rand): KpiPolicy {
  const seconds = () => r.pick([0, 3600, r.int(0, 3600), r.int(0, 30)]);
  return {
    thresholdSeconds: seconds(),
    targetPercent: 80,
    shortAbandonSeconds: seconds(),
    abandonsInDenominator: r.bool(),
    excludeShortAbandons: r.bool(),
    flowOutsInDenominator: r.bool(),
    abandonsWithinThresholdMet: r.bool(),
    csatSatisfiedScore: r.pick([null, undefined, r.int(1, 10)]),
    complaintCategories: r.pick([undefined, [], ['billing'], ['billing', 'rude_agent', 'nowhere']]),
    rightPartyCategories: r.pick([undefined, [], ['sales'], ['sales', 'info', 'nowhere']]),
  };
}

/** Which records a query covers: a range of buckets and one kind of group. */
type Group = (
  | { kind: 'queue'; queueId: string }
  | { kind: 'queueAgent'; queueId: string; agentId: string }
  | { kind: 'agent'; agentId: string }
  | { kind: 'tenant' }
) & { direction?: CellDirection };

function cellsOf(cells: Cell[], g: Group, from: number, to: number): Cell[] {
  return cells.filter((c) => {
    if (c.bucketStart < from || c.bucketStart >= to) return false;
    if (g.direction !== undefined && c.direction !== g.direction) return false;
    if (g.kind === 'queue') return c.queueId === g.queueId && c.agentId === null;
    if (g.kind === 'queueAgent') return c.queueId === g.queueId && c.agentId === g.agentId;
    if (g.kind === 'agent') return c.queueId === null && c.agentId === g.agentId;
    return c.agentId === null;
  });
}

/** Merges in a random order and a random tree shape: associativity and commutativity make them all equal. */
function randomMerge(r: Rand, facts: CellFacts[]): CellFacts {
  let items = r.shuffle(facts);
  if (items.length === 0) return emptyFacts();
  while (items.length > 1) {
    const i = r.int(0, items.length - 2);
    const merged = mergeFacts(items[i] as CellFacts, items[i + 1] as CellFacts);
    items = [...items.slice(0, i), merged, ...items.slice(i + 2)];
  }
  return items[0] as CellFacts;
}

/** The reference: each metric straight from the records in the query, in milliseconds. */
function reference(rec: Records, g: Group, from: number, to: number, p: KpiPolicy): Record<FactMetricId, MetricValue> {
  const direction = new Map(rec.interactions.map((i) => [i.id, i.direction]));
  const ofDirection = (interactionId: string) =>
    g.direction === undefined || (direction.get(interactionId) ?? 'unknown') === g.direction;
  const inRange = (t: number) => t >= from && t < to;
  const visits = rec.visits.filter((v) => {
    if (!inRange(v.enqueuedAt) || !ofDirection(v.interactionId)) return false;
    if (g.kind === 'queue') return v.queueId === g.queueId;
    if (g.kind === 'queueAgent') return v.queueId === g.queueId && v.outcome === 'answered' && v.agentId === g.agentId;
    return g.kind === 'tenant';
  });
  const segs = rec.segments.filter((s) => {
    if (!inRange(s.connectedAt) || !ofDirection(s.interactionId)) return false;
    if (g.kind === 'queue') return s.queueId === g.queueId;
    if (g.kind === 'queueAgent') return s.queueId === g.queueId && s.agentId === g.agentId;
    if (g.kind === 'agent') return s.agentId === g.agentId;
    return true;
  });
  const intervals =
    g.kind === 'agent' && g.direction === undefined
      ? rec.intervals.filter((i) => i.agentId === g.agentId && i.state !== 'offline')
      : [];

  // Quality: the call's last segment (latest connect, then larger id), else its last visit, else the tenant.
  const qualityIn = (i: InteractionFacts, at: number): boolean => {
    const byLatest = <X extends { id: string }>(xs: X[], t: (x: X) => number) =>
      [...xs].sort((a, b) => t(b) - t(a) || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0))[0];
    const seg = byLatest(
      rec.segments.filter((s) => s.interactionId === i.id),
      (s) => s.connectedAt,
    );
    const vis = byLatest(
      rec.visits.filter((v) => v.interactionId === i.id),
      (v) => v.enqueuedAt,
    );
    const when = seg ? seg.connectedAt : vis ? vis.enqueuedAt : at;
    const queueId = seg ? seg.queueId : vis ? vis.queueId : null;
    const agentId = seg ? seg.agentId : vis ? vis.agentId : null;
    if (!inRange(when) || !ofDirection(i.id)) return false;
    if (g.kind === 'queue') return queueId === g.queueId;
    if (g.kind === 'queueAgent') return queueId === g.queueId && agentId === g.agentId;
    if (g.kind === 'agent') return seg !== undefined && agentId === g.agentId;
    return true;
  };
  const dispositions = rec.interactions.filter((i) => i.disposition && qualityIn(i, i.disposition.at));
  const surveys = rec.interactions.filter((i) => i.survey && qualityIn(i, i.survey.at));
  const ivr = g.kind === 'tenant' ? rec.interactions.filter((i) => i.ivr && inRange(i.ivr.at) && ofDirection(i.id)) : [];
  // Outbound attempts: tenant cells only, where the call started, judged on all its visits and segments.
  const attempts =
    g.kind === 'tenant'
      ? rec.interactions.filter(
          (i) => i.direction === 'outbound' && i.startedAt !== null && inRange(i.startedAt) && ofDirection(i.id),
        )
      : [];
  const segsOf = (i: InteractionFacts) => rec.segments.filter((s) => s.interactionId === i.id);
  const visitsOf = (i: InteractionFacts) => rec.visits.filter((v) => v.interactionId === i.id);
  const connects = attempts.filter((i) => segsOf(i).length > 0 || visitsOf(i).length > 0);
  const dialerAbandons = connects.filter((i) => segsOf(i).length === 0 && visitsOf(i).some((v) => v.outcome === 'abandoned'));
  const rightParty = connects.filter((i) => (p.rightPartyCategories ?? []).includes(i.disposition?.category ?? '\u0000'));

  const T = p.thresholdSeconds * 1000;
  const SA = p.shortAbandonSeconds * 1000;
  const is = (o: QueueOutcome) => (v: VisitRecord) => v.outcome === o;
  const answered = visits.filter(is('answered'));
  const abandoned = visits.filter(is('abandoned'));
  const isShort = (v: VisitRecord) => v.waitMs !== null && v.waitMs <= SA;
  const short = abandoned.filter(isShort);
  const flowed = visits.filter((v) => v.outcome !== null && FLOW_OUT_OUTCOMES.includes(v.outcome));
  const left = visits.filter((v) => v.outcome !== null && v.waitMs !== null);
  const timedOf = (vs: VisitRecord[]) => vs.filter((v) => v.waitMs !== null);
  const sumWait = (vs: VisitRecord[]) => timedOf(vs).reduce((s, v) => s + (v.waitMs ?? 0), 0);
  const excluded = p.excludeShortAbandons ? short.length : 0;
  const abandonsCounted = p.abandonsInDenominator ? abandoned.filter((v) => !(p.excludeShortAbandons && isShort(v))) : [];
  const within = (v: VisitRecord) => v.waitMs !== null && v.waitMs <= T;
  const handled = segs.filter((s) => s.disconnectedAt !== null && s.talkMs !== null);
  const sum = <X>(xs: X[], f: (x: X) => number) => xs.reduce((s, x) => s + f(x), 0);
  const talk = sum(handled, (s) => s.talkMs ?? 0);
  const hold = sum(handled, (s) => s.holdMs);
  const acw = sum(handled, (s) => s.acwMs ?? 0);
  const held = handled.filter((s) => s.holdCount > 0 || s.holdMs > 0);

  const stateMs = (state: string) =>
    sum(
      intervals.filter((i) => i.state === state),
      (i) => Math.max(0, Math.min(Math.max(i.startedAt, i.endedAt ?? rec.asOf), to) - Math.max(i.startedAt, from)),
    );
  const breaks = intervals.filter((i) => i.state === 'away' && inRange(i.startedAt));
  const breakMs = sum(breaks, (i) => Math.max(i.startedAt, i.endedAt ?? rec.asOf) - i.startedAt);
  const avail = stateMs('available');
  const work = stateMs('busy') + stateMs('wrapup');
  const logged = avail + work + stateMs('away');
  // The survey's own threshold, else the request's, else top-2-box (compute.ts satisfiedFloor).
  const satisfied = surveys.filter(
    (i) => i.survey && i.survey.score >= (i.survey.satisfiedScore ?? p.csatSatisfiedScore ?? i.survey.scaleMax - 1),
  );
  const complained = dispositions.filter((i) => (p.complaintCategories ?? []).includes(i.disposition?.category ?? '\u0000'));
  // Right-party contacts an agent handled: outbound attempts with a segment, counted like their disposition.
  const handledRightParty = dispositions.filter(
    (i) =>
      i.direction === 'outbound' &&
      i.startedAt !== null &&
      segsOf(i).length > 0 &&
      (p.rightPartyCategories ?? []).includes(i.disposition?.category ?? '\u0000'),
  );

  const c = (n: number, unit: MetricValue['unit'] = 'count'): MetricValue => ({
    value: n,
    numerator: n,
    denominator: null,
    unit,
  });
  const q = (n: number, d: number, unit: MetricValue['unit'] = 'ratio'): MetricValue => ({
    value: d === 0 ? null : n / d,
    numerator: n,
    denominator: d,
    unit,
  });
  const maxWait = Math.max(0, ...timedOf(left).map((v) => v.waitMs ?? 0));
  return {
    offered: c(visits.length),
    waiting: c(visits.filter((v) => v.outcome === null).length),
    answered: c(answered.length),
    abandoned: c(abandoned.length),
    shortAbandons: c(short.length),
    flowedOut: c(flowed.length),
    flowedOutTimeout: c(visits.filter(is('timeout')).length),
    flowedOutNoAgents: c(visits.filter(is('no_agents')).length),
    flowedOutExitKey: c(visits.filter(is('exit_key')).length),
    flowedOutTransferred: c(visits.filter(is('transferred')).length),
    flowedOutRejectedFull: c(visits.filter(is('rejected_full')).length),
    unknown: c(visits.filter(is('unknown')).length),
    otherOutcomes: c(visits.filter((v) => v.outcome === 'error' || v.outcome === 'other').length),
    serviceLevel: q(
      answered.filter(within).length + (p.abandonsWithinThresholdMet ? abandonsCounted.filter(within).length : 0),
      answered.length + abandonsCounted.length + (p.flowOutsInDenominator ? flowed.length : 0),
    ),
    answerRate: q(answered.length, visits.length - excluded),
    abandonRate: q(abandoned.length - excluded, visits.length - excluded),
    asa: q(sumWait(answered), timedOf(answered).length, 'ms'),
    avgQueueTime: q(sumWait(left), left.length, 'ms'),
    avgAbandonTime: q(sumWait(abandoned), timedOf(abandoned).length, 'ms'),
    maxWait: { value: left.length === 0 ? null : maxWait, numerator: maxWait, denominator: left.length, unit: 'ms' },
    avgTalkTime: q(talk, handled.length, 'ms'),
    avgHoldTime: q(hold, held.length, 'ms'),
    avgAcw: q(acw, handled.filter((s) => s.acwMs !== null).length, 'ms'),
    aht: q(talk + hold + acw, handled.length, 'ms'),
    avgTalkPlusAcw: q(talk + acw, handled.length, 'ms'),
    transferRate: q(handled.filter((s) => s.transferred).length, handled.length),
    holdRate: q(held.length, handled.length),
    inbound: c(visits.filter((v) => direction.get(v.interactionId) === 'inbound').length),
    outbound: c(handled.filter((s) => direction.get(s.interactionId) === 'outbound').length),
    fcrDisposition: q(dispositions.filter((i) => i.disposition?.resolved).length, dispositions.length),
    csat: q(satisfied.length, surveys.length),
    csatMean: q(
      sum(surveys, (i) => i.survey?.score ?? 0),
      surveys.length,
      'count',
    ),
    surveyResponses: c(surveys.length),
    complaints: c(complained.length),
    complaintRate: q(complained.length, dispositions.length),
    ivrSelfServiceRate: q(ivr.filter((i) => i.ivr?.selfServed).length, ivr.length),
    outboundAttempts: c(attempts.length),
    outboundConnects: c(connects.length),
    connectRate: q(connects.length, attempts.length),
    rightPartyContacts: c(rightParty.length),
    rightPartyRate: q(rightParty.length, connects.length),
    predictiveAbandonRate: q(dialerAbandons.length, connects.length),
    handled: c(handled.length),
    agentAht: q(talk + hold + acw, handled.length, 'ms'),
    loggedInTime: c(logged, 'ms'),
    availableTime: c(avail, 'ms'),
    busyTime: c(stateMs('busy'), 'ms'),
    wrapupTime: c(stateMs('wrapup'), 'ms'),
    awayTime: c(stateMs('away'), 'ms'),
    breaks: c(breaks.length),
    breakTime: c(breakMs, 'ms'),
    avgBreakTime: q(breakMs, breaks.length, 'ms'),
    occupancy: q(work, work + avail),
    utilization: q(work + avail, logged),
    contactsPerHour: q(handledRightParty.length, logged / 3_600_000, 'perHour'),
  };
}

describe('cell facts against a direct computation from the records (seeded)', () => {
  it('every metric, 300 random record sets × 4 random queries, random thresholds 0..3600 and policies', () => {
    let checked = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const r = prng(seed);
      const rec = randomRecords(r);
      const splitByDirection = r.bool();
      const input = r.bool() ? rec : { ...rec, visits: r.shuffle(rec.visits), segments: r.shuffle(rec.segments) };
      const cells = factsFromRecords(input, { asOf: rec.asOf, splitByDirection });
      for (let k = 0; k < 4; k++) {
        const a = r.int(-1, BUCKETS + 1);
        const b = r.int(a, BUCKETS + 2);
        const from = T0 + a * BUCKET_MS;
        const to = T0 + b * BUCKET_MS;
        const g: Group = r.pick<Group>([
          { kind: 'queue', queueId: r.pick(QUEUES) },
          { kind: 'queueAgent', queueId: r.pick(QUEUES), agentId: r.pick(AGENTS) },
          { kind: 'agent', agentId: r.pick(AGENTS) },
          { kind: 'tenant' },
        ]);
        if (splitByDirection && r.bool(0.7)) g.direction = r.pick(['inbound', 'outbound', 'unknown'] as const);
        const policy = randomPolicy(r);
        const chosen = cellsOf(cells, g, from, to).map((c) => c.facts);
        const merged = randomMerge(r, chosen);
        expect(mergeAll(chosen)).toEqual(merged);
        const expected = reference(rec, g, from, to, policy);
        for (const id of FACT_METRICS) {
          expect(computeMetric(id, merged, policy), `seed ${seed} query ${k} ${id} ${JSON.stringify(g)}`).toEqual(expected[id]);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(300 * 4 * FACT_METRICS.length);
  });

  it('mergeFacts is commutative and associative, with emptyFacts as identity', () => {
    for (let seed = 1000; seed < 1100; seed++) {
      const r = prng(seed);
      const cells = factsFromRecords(randomRecords(r), { asOf: END });
      if (cells.length === 0) continue;
      const [x, y, z] = [r.pick(cells).facts, r.pick(cells).facts, r.pick(cells).facts];
      expect(mergeFacts(x, y)).toEqual(mergeFacts(y, x));
      expect(mergeFacts(mergeFacts(x, y), z)).toEqual(mergeFacts(x, mergeFacts(y, z)));
      expect(mergeFacts(x, emptyFacts())).toEqual(x);
    }
  });
});
