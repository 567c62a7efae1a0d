import { describe, expect, it } from 'vitest';
import { type FactMetricId, METRICS } from './catalog';
import { computeByReason, computeMetric, type KpiPolicy, type MetricValue, waitBuckets } from './compute';
import { BUCKET_MS, type CellFacts, factsFromRecords, mergeAll } from './facts';
import { interaction, interval, MIN, POLICY, segment, T0, visit } from './test-records';

/** The merged facts of the queue and tenant cells the records touch: each record once (agent cells would count segments twice). */
const facts = (input: Parameters<typeof factsFromRecords>[0]): CellFacts =>
  mergeAll(factsFromRecords(input, { asOf: T0, cells: { queueAgent: false, agent: false } }).map((c) => c.facts));
const value = (id: FactMetricId, f: CellFacts, policy: Partial<KpiPolicy> = {}) => computeMetric(id, f, { ...POLICY, ...policy });
const ratio = (numerator: number, denominator: number): MetricValue => ({
  value: denominator === 0 ? null : numerator / denominator,
  numerator,
  denominator,
  unit: 'ratio',
});
const count = (n: number, unit: MetricValue['unit'] = 'count'): MetricValue => ({
  value: n,
  numerator: n,
  denominator: null,
  unit,
});
const mean = (numerator: number, denominator: number): MetricValue => ({
  value: denominator === 0 ? null : numerator / denominator,
  numerator,
  denominator,
  unit: 'ms',
});

/**
 * One queue's visits, all started at T0. Answered waits straddle T = 20 s and T = 3600 s by one ms; abandoned
 * waits straddle the 5 s short-abandon threshold; one visit of each flow-out; one unknown (stale, no wait),
 * one error, one other, and two still waiting: 21 offered.
 */
const VISITS = [
  ...[0, 20_000, 20_001, 3_600_000, 3_600_001, 5_000].map((w) => visit('answered', w)),
  ...[3_000, 5_000, 5_001, 25_000, 4_000_000].map((w) => visit('abandoned', w)),
  visit('timeout', 60_000),
  visit('no_agents', 0),
  visit('exit_key', 10_000),
  visit('transferred', 15_000),
  visit('rejected_full', 0),
  visit('unknown', null),
  visit('error', 7_000),
  visit('other', 8_000),
  visit(null, null),
  visit(null, null),
];
const Q = facts({ visits: VISITS });

describe('queue metrics of one hand-made queue', () => {
  it.each<[FactMetricId, Partial<KpiPolicy>, MetricValue]>([
    ['offered', {}, count(21)],
    ['waiting', {}, count(2)],
    ['answered', {}, count(6)],
    ['abandoned', {}, count(5)],
    ['shortAbandons', {}, count(2)],
    ['shortAbandons', { shortAbandonSeconds: 0 }, count(0)],
    ['shortAbandons', { shortAbandonSeconds: 3 }, count(1)],
    ['shortAbandons', { shortAbandonSeconds: 3600 }, count(4)],
    ['flowedOut', {}, count(5)],
    ['flowedOutTimeout', {}, count(1)],
    ['flowedOutNoAgents', {}, count(1)],
    ['flowedOutExitKey', {}, count(1)],
    ['flowedOutTransferred', {}, count(1)],
    ['flowedOutRejectedFull', {}, count(1)],
    ['unknown', {}, count(1)],
    ['otherOutcomes', {}, count(2)],
    // Answered within 20 s: waits 0, 5 000 and exactly 20 000 (20 001 misses). Short abandons 3 000 and 5 000 leave the denominator.
    ['serviceLevel', {}, ratio(3, 6 + 3 + 5)],
    ['serviceLevel', { thresholdSeconds: 0 }, ratio(1, 14)],
    ['serviceLevel', { thresholdSeconds: 3600 }, ratio(5, 14)],
    ['serviceLevel', { thresholdSeconds: 21 }, ratio(4, 14)],
    // Abandons within T met: only 5 001 (the short ones are out of the denominator, so out of the met too).
    ['serviceLevel', { abandonsWithinThresholdMet: true }, ratio(4, 14)],
    ['serviceLevel', { abandonsWithinThresholdMet: true, excludeShortAbandons: false }, ratio(6, 16)],
    ['serviceLevel', { abandonsWithinThresholdMet: true, thresholdSeconds: 3600 }, ratio(5 + 2, 14)],
    ['serviceLevel', { abandonsWithinThresholdMet: true, thresholdSeconds: 3600, shortAbandonSeconds: 3600 }, ratio(5, 12)],
    ['serviceLevel', { abandonsInDenominator: false }, ratio(3, 11)],
    ['serviceLevel', { abandonsInDenominator: false, abandonsWithinThresholdMet: true }, ratio(3, 11)],
    ['serviceLevel', { excludeShortAbandons: false }, ratio(3, 16)],
    ['serviceLevel', { shortAbandonSeconds: 0 }, ratio(3, 16)],
    ['serviceLevel', { shortAbandonSeconds: 3600 }, ratio(3, 12)],
    ['serviceLevel', { flowOutsInDenominator: false }, ratio(3, 9)],
    ['serviceLevel', { flowOutsInDenominator: false, abandonsInDenominator: false }, ratio(3, 6)],
    ['answerRate', {}, ratio(6, 19)],
    ['answerRate', { excludeShortAbandons: false }, ratio(6, 21)],
    ['answerRate', { shortAbandonSeconds: 3600 }, ratio(6, 17)],
    ['abandonRate', {}, ratio(3, 19)],
    ['abandonRate', { excludeShortAbandons: false }, ratio(5, 21)],
    ['abandonRate', { shortAbandonSeconds: 0 }, ratio(5, 21)],
    ['asa', {}, mean(0 + 20_000 + 20_001 + 3_600_000 + 3_600_001 + 5_000, 6)],
    ['avgAbandonTime', {}, mean(3_000 + 5_000 + 5_001 + 25_000 + 4_000_000, 5)],
    // Every timed visit that left: 6 answered, 5 abandoned, 5 flowed out, error and other (the stale one has no wait).
    ['avgQueueTime', {}, mean(7_245_002 + 4_038_001 + 85_000 + 7_000 + 8_000, 18)],
    ['maxWait', {}, { value: 4_000_000, numerator: 4_000_000, denominator: 18, unit: 'ms' }],
    ['inbound', {}, count(0)],
  ])('%s %j', (id, policy, expected) => {
    expect(value(id, Q, policy)).toEqual(expected);
  });

  it('a wait of exactly T s is met and T s + 1 ms is not, for T = 0, 1, 20, 3600', () => {
    for (const T of [0, 1, 20, 3600]) {
      const f = facts({ visits: [visit('answered', T * 1000), visit('answered', T * 1000 + 1)] });
      expect(value('serviceLevel', f, { thresholdSeconds: T }).numerator).toBe(1);
      const g = facts({ visits: [visit('abandoned', T * 1000), visit('abandoned', T * 1000 + 1)] });
      expect(value('shortAbandons', g, { shortAbandonSeconds: T }).numerator).toBe(1);
    }
  });

  it('an answered visit with no known wait is in the denominator, never met, and out of ASA', () => {
    const f = facts({ visits: [visit('answered', null), visit('answered', 1_000)] });
    expect(value('serviceLevel', f)).toEqual(ratio(1, 2));
    expect(value('asa', f)).toEqual(mean(1_000, 1));
  });

  it('every metric of no records: counts 0, ratios and means null', () => {
    const empty = facts({});
    for (const m of METRICS) {
      if (!m.fromFacts) continue;
      const v = computeMetric(m.id as FactMetricId, empty, POLICY);
      expect(v.value, m.id).toBe(m.denominator === null ? 0 : null);
      expect(v.unit).toBe(m.unit);
    }
  });

  it('refuses thresholds that are not whole seconds in 0..3600', () => {
    for (const bad of [-1, 3601, 1.5, Number.NaN]) {
      expect(() => value('serviceLevel', Q, { thresholdSeconds: bad })).toThrow(RangeError);
      expect(() => value('shortAbandons', Q, { shortAbandonSeconds: bad })).toThrow(RangeError);
    }
    expect(() => computeMetric('fcrRepeatCaller' as FactMetricId, Q, POLICY)).toThrow(RangeError);
  });

  it('wait buckets: answered and abandoned per (from, to] seconds, open-ended last', () => {
    const buckets = waitBuckets(Q, [5, 20, 3600]);
    expect(buckets).toEqual([
      { fromSeconds: 0, toSeconds: 5, answered: 2, abandoned: 2 },
      { fromSeconds: 5, toSeconds: 20, answered: 1, abandoned: 1 },
      { fromSeconds: 20, toSeconds: 3600, answered: 2, abandoned: 1 },
      { fromSeconds: 3600, toSeconds: null, answered: 1, abandoned: 1 },
    ]);
    expect(waitBuckets(Q)).toHaveLength(13);
    expect(() => waitBuckets(Q, [5, 5])).toThrow(RangeError);
  });
});

describe('direction', () => {
  it('inbound counts offered visits of inbound calls; outbound counts handled segments of outbound calls', () => {
    const v1 = visit('answered', 1_000);
    const v2 = visit('abandoned', 1_000);
    const v3 = visit(null, null);
    const s1 = segment({ interactionId: 'out-1' });
    const s2 = segment({ interactionId: 'out-2', disconnectedAt: null, talkMs: null });
    const f = facts({
      visits: [v1, v2, v3],
      segments: [s1, s2],
      interactions: [
        interaction(v1.interactionId),
        interaction(v2.interactionId, { direction: 'outbound' }),
        interaction('out-1', { direction: 'outbound' }),
        interaction('out-2', { direction: 'outbound' }),
      ],
    });
    expect(value('inbound', f)).toEqual(count(1));
    expect(value('outbound', f)).toEqual(count(1));
    expect(f.visits.byDirection).toEqual({ inbound: 1, outbound: 1, unknown: 1 });
  });
});

describe('handling metrics', () => {
  // Handled: three disconnected segments; the fourth is still connected and only counts as connected.
  const S = facts({
    segments: [
      segment({
        talkMs: 60_000,
        holdMs: 10_000,
        holdCount: 2,
        acwMs: 5_000,
        wrapupStartedAt: T0 + 2 * MIN,
        wrapupEndedAt: T0 + 3 * MIN,
      }),
      segment({ talkMs: 120_000, transferred: true }),
      segment({ talkMs: 30_000, holdMs: 5_000, holdCount: 1, wrapupStartedAt: T0 + 2 * MIN }),
      segment({ disconnectedAt: null, talkMs: null }),
    ],
  });

  it.each<[FactMetricId, MetricValue]>([
    ['handled', count(3)],
    ['avgTalkTime', mean(210_000, 3)],
    ['avgHoldTime', mean(15_000, 2)],
    ['avgAcw', mean(5_000, 1)],
    ['aht', mean(230_000, 3)],
    ['agentAht', mean(230_000, 3)],
    ['avgTalkPlusAcw', mean(215_000, 3)],
    ['transferRate', ratio(1, 3)],
    ['holdRate', ratio(2, 3)],
  ])('%s', (id, expected) => {
    expect(value(id, S)).toEqual(expected);
  });

  it('keeps the open segment and the pending wrap-up apart', () => {
    expect(S.segments).toMatchObject({ connected: 4, handled: 3, acwPending: 1, withAcw: 1 });
  });
});

describe('agent states', () => {
  // Bucket T0: available 5, busy 5, wrap-up 1, away (lunch) 4 of the 9-minute lunch; offline is not kept.
  // Bucket T0 + 15 min: the rest of lunch (5) and an open break with no reason, 3 minutes up to asOf.
  const intervals = [
    interval('available', T0, T0 + 5 * MIN),
    interval('busy', T0 + 5 * MIN, T0 + 10 * MIN),
    interval('wrapup', T0 + 10 * MIN, T0 + 11 * MIN),
    interval('away', T0 + 11 * MIN, T0 + 20 * MIN, { reason: 'lunch' }),
    interval('offline', T0 + 20 * MIN, T0 + 25 * MIN),
    interval('away', T0 + 25 * MIN, null),
  ];
  const cells = factsFromRecords({ intervals }, { asOf: T0 + 28 * MIN });
  const A = mergeAll(cells.map((c) => c.facts));

  it('splits state time by overlap with each bucket, in the agent cell', () => {
    expect(cells.map((c) => [c.bucketStart, c.queueId, c.agentId])).toEqual([
      [T0, null, 'a1'],
      [T0 + BUCKET_MS, null, 'a1'],
    ]);
    expect(cells[0]?.facts.states.ms).toEqual({ available: 5 * MIN, busy: 5 * MIN, wrapup: MIN, away: 4 * MIN });
    expect(cells[1]?.facts.states).toEqual({
      ms: { available: 0, busy: 0, wrapup: 0, away: 8 * MIN },
      awayMsByReason: { lunch: 5 * MIN, '': 3 * MIN },
      breaksByReason: { '': { n: 1, ms: 3 * MIN } },
      open: 1,
    });
  });

  it.each<[FactMetricId, MetricValue]>([
    ['loggedInTime', count(23 * MIN, 'ms')],
    ['availableTime', count(5 * MIN, 'ms')],
    ['busyTime', count(5 * MIN, 'ms')],
    ['wrapupTime', count(MIN, 'ms')],
    ['awayTime', count(12 * MIN, 'ms')],
    ['breaks', count(2)],
    ['breakTime', count(12 * MIN, 'ms')],
    ['avgBreakTime', mean(12 * MIN, 2)],
    ['occupancy', ratio(6 * MIN, 11 * MIN)],
    ['utilization', ratio(11 * MIN, 23 * MIN)],
  ])('%s', (id, expected) => {
    expect(value(id, A)).toEqual(expected);
  });

  it('by reason code', () => {
    expect(computeByReason('awayTime', A)).toEqual({ '': count(3 * MIN, 'ms'), lunch: count(9 * MIN, 'ms') });
    expect(computeByReason('breaks', A)).toEqual({ '': count(1), lunch: count(1) });
    expect(computeByReason('avgBreakTime', A)).toEqual({ '': mean(3 * MIN, 1), lunch: mean(9 * MIN, 1) });
    // Break time counts the whole lunch where it started; away time splits it.
    expect(computeByReason('breakTime', cells[0]?.facts as CellFacts)).toEqual({ lunch: count(9 * MIN, 'ms') });
    expect(computeByReason('awayTime', cells[0]?.facts as CellFacts)).toEqual({ lunch: count(4 * MIN, 'ms') });
  });
});

describe('quality metrics', () => {
  const segs = ['i1', 'i2', 'i3', 'i4'].map((id) => segment({ interactionId: id }));
  const f = facts({
    segments: segs,
    interactions: [
      interaction('i1', {
        disposition: { resolved: true, code: null, at: T0 },
        survey: { score: 5, scaleMin: 1, scaleMax: 5, at: T0 },
      }),
      interaction('i2', {
        disposition: { resolved: false, code: 'x', at: T0 },
        survey: { score: 3, scaleMin: 1, scaleMax: 5, at: T0 },
      }),
      interaction('i3', { survey: { score: 4, scaleMin: 1, scaleMax: 5, at: T0 } }),
      interaction('i4', { survey: { score: 9, scaleMin: 1, scaleMax: 10, at: T0 } }),
      interaction('i5', { ivr: { selfServed: true, at: T0 } }),
      interaction('i6', { ivr: { selfServed: false, at: T0 } }),
    ],
  });
  it.each<[FactMetricId, Partial<KpiPolicy>, MetricValue]>([
    ['fcrDisposition', {}, ratio(1, 2)],
    ['csat', {}, ratio(3, 4)],
    ['csat', { csatSatisfiedScore: 5 }, ratio(2, 4)],
    ['csat', { csatSatisfiedScore: 10 }, ratio(0, 4)],
    ['csatMean', {}, { ...mean(21, 4), unit: 'count' }],
    ['surveyResponses', {}, count(4)],
    ['ivrSelfServiceRate', {}, ratio(1, 2)],
  ])('%s %j', (id, policy, expected) => {
    expect(value(id, f, policy)).toEqual(expected);
  });

  it('the mean of fractional scores does not depend on the merge order', () => {
    const cells = [0.1, 0.2, 0.3].map((score, k) => {
      const s = segment({ interactionId: `f${k}`, connectedAt: T0 + k * BUCKET_MS });
      const survey = { score, scaleMin: 0, scaleMax: 1, at: T0 };
      return factsFromRecords(
        { segments: [s], interactions: [interaction(`f${k}`, { survey })] },
        { asOf: T0, cells: { agent: false } },
      )
        .filter((c) => c.agentId === null)
        .map((c) => c.facts)[0] as CellFacts;
    });
    const [a, b, c] = cells as [CellFacts, CellFacts, CellFacts];
    const left = value('csatMean', mergeAll([a, b, c]));
    expect(value('csatMean', mergeAll([c, b, a]))).toEqual(left);
    expect(value('csatMean', mergeAll([b, c, a]))).toEqual(left);
    expect(left.denominator).toBe(3);
  });
});
