import { describe, expect, it } from 'vitest';
import { BUCKET_MS, bucketStartOf, emptyFacts, factsFromRecords, mergeAll, mergeFacts, qualityCellOf, waitSlot } from './facts';
import { interaction, interval, MIN, segment, T0, visit } from './test-records';

const keys = (cells: ReturnType<typeof factsFromRecords>) => cells.map((c) => [c.bucketStart - T0, c.queueId, c.agentId]);

describe('buckets and wait slots', () => {
  it.each([
    [T0, T0],
    [T0 + BUCKET_MS - 1, T0],
    [T0 + BUCKET_MS, T0 + BUCKET_MS],
    [0, 0],
    [-1, -BUCKET_MS],
    [-BUCKET_MS, -BUCKET_MS],
  ])('bucketStartOf(%i) = %i', (at, start) => {
    expect(bucketStartOf(at)).toBe(start);
  });

  it.each([
    [0, 0],
    [-5, 0],
    [1, 1],
    [999, 1],
    [1_000, 1],
    [1_001, 2],
    [20_000, 20],
    [20_001, 21],
    [3_600_000, 3600],
    [3_600_001, 3601],
    [7 * 24 * 3_600_000, 3601],
  ])('waitSlot(%i) = %i', (ms, slot) => {
    expect(waitSlot(ms)).toBe(slot);
  });
});

describe('factsFromRecords', () => {
  it('a visit counts where it started, in its queue cell and (answered) its queue × agent cell, never the agent cell', () => {
    const answeredLate = visit('answered', 20 * MIN, { enqueuedAt: T0 + 14 * MIN, agentId: 'a2' });
    const abandoned = visit('abandoned', 1_000, { queueId: 'q2' });
    const cells = factsFromRecords({ visits: [answeredLate, abandoned] }, { asOf: T0 });
    expect(keys(cells)).toEqual([
      [0, 'q1', null],
      [0, 'q1', 'a2'],
      [0, 'q2', null],
    ]);
    expect(cells[0]?.facts.visits.byOutcome.answered).toEqual({
      n: 1,
      timed: 1,
      sumMs: 20 * MIN,
      maxMs: 20 * MIN,
      bySecond: { '1200': 1 },
    });
  });

  it('a segment counts where it connected, in its queue, queue × agent and agent cells', () => {
    const s = segment({ connectedAt: T0 + 16 * MIN, disconnectedAt: T0 + 40 * MIN, queueId: 'q2', agentId: 'a3' });
    const cells = factsFromRecords({ segments: [s] }, { asOf: T0 });
    expect(keys(cells)).toEqual([
      [BUCKET_MS, null, 'a3'],
      [BUCKET_MS, 'q2', null],
      [BUCKET_MS, 'q2', 'a3'],
    ]);
    expect(factsFromRecords({ segments: [s] }, { asOf: T0, cells: { agent: false, queueAgent: false } })).toHaveLength(1);
  });

  it('state time splits across buckets by overlap; an open interval counts up to asOf; offline is not kept', () => {
    const cells = factsFromRecords(
      {
        intervals: [
          interval('busy', T0 + 10 * MIN, T0 + 50 * MIN),
          interval('offline', T0 + 50 * MIN, T0 + 70 * MIN),
          interval('available', T0 + 70 * MIN, null),
        ],
      },
      { asOf: T0 + 80 * MIN },
    );
    expect(
      cells.map((c) => [c.bucketStart - T0, c.facts.states.ms.busy, c.facts.states.ms.available, c.facts.states.open]),
    ).toEqual([
      [0, 5 * MIN, 0, 0],
      [BUCKET_MS, 15 * MIN, 0, 0],
      [2 * BUCKET_MS, 15 * MIN, 0, 0],
      [3 * BUCKET_MS, 5 * MIN, 0, 0],
      [4 * BUCKET_MS, 0, 5 * MIN, 1],
      [5 * BUCKET_MS, 0, 5 * MIN, 0],
    ]);
  });

  it('splits cells by the call direction on request; state time keeps direction null', () => {
    const v1 = visit('answered', 1_000, { agentId: null });
    const v2 = visit('abandoned', 1_000);
    const input = {
      visits: [v1, v2],
      intervals: [interval('available', T0, T0 + MIN)],
      interactions: [interaction(v1.interactionId, { direction: 'outbound' })],
    };
    const split = factsFromRecords(input, { asOf: T0, splitByDirection: true });
    expect(split.map((c) => [c.queueId, c.agentId, c.direction, c.facts.visits.byDirection])).toEqual([
      [null, 'a1', null, { inbound: 0, outbound: 0, unknown: 0 }],
      ['q1', null, 'outbound', { inbound: 0, outbound: 1, unknown: 0 }],
      ['q1', null, 'unknown', { inbound: 0, outbound: 0, unknown: 1 }],
    ]);
    expect(factsFromRecords(input, { asOf: T0 }).map((c) => c.direction)).toEqual([null, null]);
  });

  it('is the same for any order of its input', () => {
    const visits = [visit('answered', 1_000), visit('abandoned', 2_000, { enqueuedAt: T0 + BUCKET_MS }), visit(null, null)];
    const segments = [segment(), segment({ agentId: 'a2', connectedAt: T0 + 3 * BUCKET_MS })];
    const a = factsFromRecords({ visits, segments }, { asOf: T0 });
    const b = factsFromRecords({ visits: [...visits].reverse(), segments: [...segments].reverse() }, { asOf: T0 });
    expect(b).toEqual(a);
  });
});

describe('quality attribution', () => {
  it("goes to the call's last segment, else its last visit, else the tenant at the fact's instant", () => {
    const early = segment({ interactionId: 'c', connectedAt: T0, agentId: 'a1', queueId: 'q1' });
    const late = segment({ interactionId: 'c', connectedAt: T0 + 20 * MIN, agentId: 'a2', queueId: 'q2' });
    expect(qualityCellOf(T0 + 99 * MIN, [late, early], [])).toEqual({
      bucketStart: T0 + BUCKET_MS,
      queueId: 'q2',
      agentId: 'a2',
    });
    const v1 = visit('abandoned', 1_000, { queueId: 'q1', enqueuedAt: T0 });
    const v2 = visit('abandoned', 1_000, { queueId: 'q3', enqueuedAt: T0 + 2 * BUCKET_MS });
    expect(qualityCellOf(T0, [], [v2, v1])).toEqual({ bucketStart: T0 + 2 * BUCKET_MS, queueId: 'q3', agentId: null });
    expect(qualityCellOf(T0 + 17 * MIN, [], [])).toEqual({ bucketStart: T0 + BUCKET_MS, queueId: null, agentId: null });
  });

  it('lands in those cells once each; IVR sessions in the tenant cell of their instant', () => {
    const s = segment({ interactionId: 'c1' });
    const v = visit('abandoned', 1_000, { interactionId: 'c2', queueId: 'q2' });
    const cells = factsFromRecords(
      {
        segments: [s],
        visits: [v],
        interactions: [
          interaction('c1', { disposition: { resolved: true, code: null, at: T0 + 5 * BUCKET_MS } }),
          interaction('c2', { survey: { score: 2, scaleMin: 1, scaleMax: 5, at: T0 } }),
          interaction('c3', {
            survey: { score: 5, scaleMin: 1, scaleMax: 5, at: T0 + BUCKET_MS },
            ivr: { selfServed: true, at: T0 },
          }),
        ],
      },
      { asOf: T0 },
    );
    const q = (c: (typeof cells)[number]) => [
      c.bucketStart - T0,
      c.queueId,
      c.agentId,
      c.facts.quality.dispositioned,
      c.facts.quality.surveys,
      c.facts.quality.ivrSessions,
    ];
    expect(cells.map(q)).toEqual([
      [0, null, null, 0, 0, 1],
      [0, null, 'a1', 1, 0, 0],
      [0, 'q1', null, 1, 0, 0],
      [0, 'q1', 'a1', 1, 0, 0],
      [0, 'q2', null, 0, 1, 0],
      [BUCKET_MS, null, null, 0, 1, 0],
    ]);
  });
});

describe('mergeFacts', () => {
  it('has the empty facts as identity and leaves its inputs alone', () => {
    const [c] = factsFromRecords({ visits: [visit('answered', 1_500), visit('abandoned', 500)] }, { asOf: T0 });
    const f = c?.facts ?? emptyFacts();
    const copy = structuredClone(f);
    expect(mergeFacts(f, emptyFacts())).toEqual(f);
    expect(mergeFacts(emptyFacts(), f)).toEqual(f);
    const twice = mergeFacts(f, f);
    expect(twice.visits.byOutcome.answered).toEqual({ n: 2, timed: 2, sumMs: 3_000, maxMs: 1_500, bySecond: { '2': 2 } });
    expect(f).toEqual(copy);
  });

  it('survives a JSON round trip (facts are stored as jsonb)', () => {
    const cells = factsFromRecords(
      { visits: [visit('answered', 1_500)], intervals: [interval('away', T0, T0 + MIN, { reason: 'lunch' })] },
      { asOf: T0 },
    );
    for (const c of cells) expect(JSON.parse(JSON.stringify(c.facts))).toEqual(c.facts);
  });
});

describe('mergeAll', () => {
  it('adds histograms slot by slot, like mergeFacts, and refuses a slot no wait gives', () => {
    const a = emptyFacts();
    a.visits.byOutcome.answered = { n: 3, timed: 3, sumMs: 30_000, maxMs: 20_000, bySecond: { '5': 2, '20': 1 } };
    const b = emptyFacts();
    b.visits.byOutcome.answered = { n: 2, timed: 2, sumMs: 7_200_000, maxMs: 4_000_000, bySecond: { '20': 1, '3601': 1 } };
    expect(mergeAll([a, b])).toEqual(mergeFacts(a, b));
    expect(mergeAll([a, b]).visits.byOutcome.answered.bySecond).toEqual({ '5': 2, '20': 2, '3601': 1 });
    expect(mergeAll([])).toEqual(emptyFacts());
    for (const bad of ['3602', '-1', '1.5', 'x']) {
      const c = emptyFacts();
      c.visits.byOutcome.abandoned = { n: 1, timed: 1, sumMs: 1, maxMs: 1, bySecond: { [bad]: 1 } };
      expect(() => mergeAll([a, c]), bad).toThrow(RangeError);
    }
  });
});

describe('merging every field', () => {
  it('adds each numeric leaf (the longest wait: the larger), whatever the field', () => {
    const filled = (start: number) => {
      const f = emptyFacts();
      let next = start;
      const walk = (node: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(node)) {
          if (typeof v === 'number') node[k] = next++;
          else if (v && typeof v === 'object') walk(v as Record<string, unknown>);
        }
      };
      walk(f as unknown as Record<string, unknown>);
      f.quality.surveyScores['1|5|5'] = next++;
      f.states.awayMsByReason.lunch = next++;
      f.states.breaksByReason.lunch = { n: next++, ms: next++ };
      return f;
    };
    const [a, b] = [filled(1), filled(1000)];
    const expected = emptyFacts();
    const sum = (x: Record<string, unknown>, y: Record<string, unknown>, into: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(y)) {
        if (typeof v === 'number') into[k] = k === 'maxMs' ? Math.max(x[k] as number, v) : (x[k] as number) + v;
        else if (v && typeof v === 'object') {
          into[k] ??= {};
          sum((x[k] ?? {}) as Record<string, unknown>, v as Record<string, unknown>, into[k] as Record<string, unknown>);
        }
      }
    };
    sum(
      a as unknown as Record<string, unknown>,
      b as unknown as Record<string, unknown>,
      expected as unknown as Record<string, unknown>,
    );
    expect(mergeAll([a, b])).toEqual(expected);
    expect(mergeFacts(a, b)).toEqual(expected);
  });
});
