import { describe, expect, it } from 'vitest';
import type { FactMetricId } from './catalog';
import type { KpiPolicy } from './compute';
import { type CellSelector, decide, explainCell, explainKindOf, intervalShare, recordsOfCell, seconds } from './explain';
import { BUCKET_MS } from './facts';
import { interaction, interval, MIN, POLICY, segment, T0, visit } from './test-records';

const cell: CellSelector = { start: T0, end: T0 + 4 * BUCKET_MS, person: null, asOf: T0 + 4 * BUCKET_MS };
const judge = (id: FactMetricId, v: ReturnType<typeof visit>, policy: Partial<KpiPolicy> = {}) =>
  decide(id, { kind: 'visit', id: v.id, at: v.enqueuedAt, visit: v, direction: 'inbound' }, { ...POLICY, ...policy });
const parts = (d: { inNumerator: boolean; inDenominator: boolean }) => [d.inNumerator, d.inDenominator];

describe('explain: a visit under the service-level policy (T = 20 s, short ≤ 5 s excluded)', () => {
  it.each([
    ['answered', 12_000, {}, [true, true], 'answered after 12 s ≤ T=20 s: met'],
    ['answered', 20_000, {}, [true, true], 'answered after 20 s ≤ T=20 s: met'],
    ['answered', 20_001, {}, [false, true], 'answered after 20.001 s > T=20 s: not met'],
    ['answered', 24_300, {}, [false, true], 'answered after 24.3 s > T=20 s: not met'],
    ['answered', 24_300, { thresholdSeconds: 25 }, [true, true], 'answered after 24.3 s ≤ T=25 s: met'],
    ['answered', null, {}, [false, true], 'answered, wait unknown: in the denominator, never met'],
    ['abandoned', 3_000, {}, [false, false], 'abandoned after 3 s ≤ 5 s: short abandon, excluded'],
    ['abandoned', 5_001, {}, [false, true], 'abandoned after 5.001 s: in the denominator, not met'],
    ['abandoned', 3_000, { excludeShortAbandons: false }, [false, true], 'abandoned after 3 s: in the denominator, not met'],
    [
      'abandoned',
      8_000,
      { abandonsWithinThresholdMet: true },
      [true, true],
      'abandoned after 8 s ≤ T=20 s: met (abandons within T count as met)',
    ],
    [
      'abandoned',
      30_000,
      { abandonsWithinThresholdMet: true },
      [false, true],
      'abandoned after 30 s > T=20 s: in the denominator, not met',
    ],
    [
      'abandoned',
      8_000,
      { abandonsInDenominator: false },
      [false, false],
      'abandoned after 8 s: abandons are not in the denominator (abandonsInDenominator off)',
    ],
    ['timeout', 30_000, {}, [false, true], 'flowed out (timeout) after 30 s: in the denominator, not met'],
    [
      'no_agents',
      0,
      { flowOutsInDenominator: false },
      [false, false],
      'flowed out (no_agents) after 0 s: flow-outs are not in the denominator (flowOutsInDenominator off)',
    ],
    ['unknown', null, {}, [false, false], 'outcome unknown (closed by the sweeper): in neither'],
    ['error', 1_000, {}, [false, false], 'left with outcome error after 1 s: in neither'],
    [null, null, {}, [false, false], 'still waiting: in neither until it leaves the queue'],
  ] as const)('%s after %s ms %o: %o, "%s"', (outcome, waitMs, policy, expected, reason) => {
    const d = judge('serviceLevel', visit(outcome, waitMs), policy);
    expect(parts(d)).toEqual(expected);
    expect(d.reason).toBe(reason);
  });

  it('short abandons, rates and mean waits say why too', () => {
    expect(judge('shortAbandons', visit('abandoned', 5_000)).reason).toBe('abandoned after 5 s ≤ 5 s: short abandon');
    expect(judge('shortAbandons', visit('abandoned', null)).reason).toBe(
      'abandoned, wait unknown: an abandon of unknown wait is never short',
    );
    expect(parts(judge('abandonRate', visit('abandoned', 3_000)))).toEqual([false, false]);
    expect(judge('abandonRate', visit('abandoned', 3_000), { excludeShortAbandons: false }).reason).toBe(
      'abandoned after 3 s: abandoned, offered (a short abandon, ≤ 5 s, not excluded by the policy)',
    );
    expect(parts(judge('answerRate', visit(null, null)))).toEqual([false, true]);
    expect(judge('asa', visit('answered', 7_250))).toMatchObject({ numerator: 7_250, denominator: 1 });
    expect(judge('asa', visit('answered', null))).toMatchObject({ inDenominator: false, numerator: 0 });
  });

  it('the longest wait: only the visits that waited longest are in the numerator', () => {
    const vs = [visit('answered', 10_000), visit('timeout', 30_000), visit('abandoned', null), visit(null, null)];
    const records = recordsOfCell('maxWait', { visits: vs }, cell);
    const r = explainCell('maxWait', records, POLICY);
    expect(r).toMatchObject({ value: 30_000, numerator: 30_000, denominator: 2, unit: 'ms' });
    expect(r.decisions.map(parts)).toEqual([
      [false, true],
      [true, true],
      [false, false],
      [false, false],
    ]);
    expect(r.decisions[0]?.reason).toBe('answered after 10 s: shorter than the longest, 30 s');
    expect(r.decisions[1]?.reason).toBe('flowed out (timeout) after 30 s: the longest wait');
  });
});

describe('explain: segments, state intervals and calls', () => {
  it('segments give their durations', () => {
    const s = segment({ talkMs: 60_000, holdMs: 15_000, holdCount: 2, acwMs: 20_000, wrapupStartedAt: T0 + MIN });
    const at = (id: FactMetricId) =>
      decide(id, { kind: 'segment', id: s.id, at: s.connectedAt, segment: s, direction: 'inbound' }, POLICY);
    expect(at('aht')).toMatchObject({
      numerator: 95_000,
      denominator: 1,
      reason: 'handled: talk 60 s + hold 15 s + ACW 20 s = 95 s',
    });
    expect(at('avgHoldTime').reason).toBe('handled, held 2 times for 15 s');
    const open = segment({ disconnectedAt: null, talkMs: null });
    expect(decide('aht', { kind: 'segment', id: open.id, at: T0, segment: open, direction: 'inbound' }, POLICY)).toMatchObject({
      inNumerator: false,
      inDenominator: false,
      reason: 'still connected: not handled yet',
    });
  });

  it('state intervals count their overlap with the cell, and only the buckets where the agent belongs to it', () => {
    const i = interval('busy', T0 - 10 * MIN, T0 + 20 * MIN);
    expect(intervalShare(i, cell)).toEqual({ overlapMs: 20 * MIN, startedInCell: false, wholeMs: 30 * MIN, open: false });
    // In the group from the second bucket on: only 5 of the 20 minutes.
    const fromSecond = { ...cell, person: (_: string, b: number) => b >= T0 + BUCKET_MS };
    expect(intervalShare(i, fromSecond).overlapMs).toBe(5 * MIN);
    const r = explainCell(
      'occupancy',
      recordsOfCell('occupancy', { intervals: [i, interval('available', T0 + 20 * MIN, null)] }, cell),
      POLICY,
    );
    expect(r).toMatchObject({ numerator: 20 * MIN, denominator: 60 * MIN, value: 1 / 3 });
    expect(r.decisions[1]?.reason).toBe('available for 2400 s in the cell (still open): idle, ready for a call');
    const away = interval('away', T0 - MIN, T0 + MIN, { reason: 'lunch' });
    expect(
      decide(
        'breaks',
        { kind: 'interval', id: away.id, at: away.startedAt, interval: away, share: intervalShare(away, cell) },
        POLICY,
      ).reason,
    ).toBe('away (lunch) for 60 s in the cell: a break started before the cell counts where it started');
  });

  it('calls: CSAT says the score and the satisfied floor', () => {
    const call = interaction('c1', { survey: { score: 3, scaleMin: 1, scaleMax: 5, at: T0 } });
    const r = {
      kind: 'interaction' as const,
      id: 'c1',
      at: T0,
      interaction: call,
      direction: 'inbound' as const,
      attribution: { queueId: 'q1', agentId: null, bucketStart: T0 },
    };
    expect(decide('csat', r, POLICY).reason).toBe('score 3 on 1–5 < 4 (top-2-box): not satisfied');
    expect(decide('csat', r, { ...POLICY, csatSatisfiedScore: 3 })).toMatchObject({
      inNumerator: true,
      reason: 'score 3 on 1–5 ≥ 3: satisfied',
    });
  });

  it('a metric is explained by one kind of record', () => {
    expect(explainKindOf('serviceLevel')).toBe('visit');
    expect(explainKindOf('inbound')).toBe('visit');
    expect(explainKindOf('outbound')).toBe('segment');
    expect(explainKindOf('utilization')).toBe('interval');
    expect(explainKindOf('csat')).toBe('interaction');
    expect(explainKindOf('ivrSelfServiceRate')).toBe('interaction');
    expect(() =>
      decide('aht', { kind: 'visit', id: 'v', at: T0, visit: visit('answered', 1), direction: 'inbound' }, POLICY),
    ).toThrow(RangeError);
    expect(seconds(24_300)).toBe('24.3 s');
  });
});
