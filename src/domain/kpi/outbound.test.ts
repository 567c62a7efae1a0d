import { describe, expect, it } from 'vitest';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import { computeMetric, type KpiPolicy } from './compute';
import { BUCKET_MS, factsFromRecords, mergeAll } from './facts';
import { buildReport } from './report';
import { interaction, MIN, POLICY, segment, T0, visit } from './test-records';

/** Outbound KPIs from cell facts (issue 12 §1): each attempt judged on all its segments and visits. */

type Case = {
  name: string;
  segments?: Partial<SegmentRecord>[];
  visits?: [VisitRecord['outcome'], Partial<VisitRecord>?][];
  call?: Partial<InteractionFacts>;
  /** [attempt, connect, dialer abandon, right party] */
  expected: [number, number, number, number];
};

const CASES: Case[] = [
  { name: 'rang out: no segment, no visit', expected: [1, 0, 0, 0] },
  { name: 'an agent dialled and spoke (a segment, no visit)', segments: [{}], expected: [1, 1, 0, 0] },
  { name: 'queued by the dialer and answered', visits: [['answered']], segments: [{}], expected: [1, 1, 0, 0] },
  { name: 'queued by the dialer and abandoned', visits: [['abandoned']], expected: [1, 1, 1, 0] },
  {
    name: 'abandoned, then reached an agent in another queue',
    visits: [['abandoned'], ['answered']],
    segments: [{}],
    expected: [1, 1, 0, 0],
  },
  { name: 'queued, timed out to voicemail', visits: [['timeout']], expected: [1, 1, 0, 0] },
  { name: 'still queued', visits: [[null]], expected: [1, 1, 0, 0] },
  {
    name: 'connect of a right-party category',
    segments: [{}],
    call: { disposition: { resolved: true, code: null, category: 'rpc', at: T0 + MIN } },
    expected: [1, 1, 0, 1],
  },
  {
    name: 'a right-party category on an attempt that never connected is not a contact',
    call: { disposition: { resolved: false, code: null, category: 'rpc', at: T0 + MIN } },
    expected: [1, 0, 0, 0],
  },
  { name: 'inbound: not an attempt', segments: [{}], call: { direction: 'inbound' }, expected: [0, 0, 0, 0] },
  { name: 'direction unknown: not an attempt', segments: [{}], call: { direction: null }, expected: [0, 0, 0, 0] },
  { name: 'no interaction.started seen: not an attempt', segments: [{}], call: { startedAt: null }, expected: [0, 0, 0, 0] },
];

const policy: KpiPolicy = { ...POLICY, rightPartyCategories: ['rpc', 'rpc'] };

describe('outbound attempts, connects, right-party contacts, dialer abandons', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const id = 'o1';
      const facts = mergeAll(
        factsFromRecords(
          {
            segments: (c.segments ?? []).map((s) => segment({ interactionId: id, connectedAt: T0 + 20 * MIN, ...s })),
            visits: (c.visits ?? []).map(([o, v]) => visit(o, 3000, { interactionId: id, enqueuedAt: T0 + 16 * MIN, ...v })),
            interactions: [interaction(id, { direction: 'outbound', startedAt: T0, ...c.call })],
          },
          { asOf: T0 + 60 * MIN },
        )
          // The tenant's total: its queue cells and its tenant cells (never agent cells too).
          .filter((cell) => cell.agentId === null)
          .map((cell) => cell.facts),
      );
      const [attempts, connects, abandoned, rpc] = c.expected;
      expect(computeMetric('outboundAttempts', facts, policy)).toMatchObject({ value: attempts, denominator: null });
      expect(computeMetric('outboundConnects', facts, policy).value).toBe(connects);
      expect(computeMetric('connectRate', facts, policy)).toMatchObject({ numerator: connects, denominator: attempts });
      expect(computeMetric('predictiveAbandonRate', facts, policy)).toMatchObject({
        numerator: abandoned,
        denominator: connects,
      });
      expect(computeMetric('rightPartyContacts', facts, policy).value).toBe(rpc);
      expect(computeMetric('rightPartyRate', facts, policy)).toMatchObject({ numerator: rpc, denominator: connects });
      // Without right-party categories there are none.
      expect(computeMetric('rightPartyContacts', facts, POLICY).value).toBe(0);
    });
  }

  it('an attempt counts in the tenant cell of the bucket where it started, not where it connected', () => {
    const cells = factsFromRecords(
      {
        segments: [segment({ interactionId: 'o1', connectedAt: T0 + BUCKET_MS + MIN })],
        interactions: [interaction('o1', { direction: 'outbound', startedAt: T0 + 14 * MIN })],
      },
      { asOf: T0 + 60 * MIN, splitByDirection: true },
    );
    const attempts = cells.filter((c) => c.facts.quality.outboundAttempts > 0);
    expect(attempts.map((c) => [c.bucketStart, c.queueId, c.agentId, c.direction])).toEqual([[T0, null, null, 'outbound']]);
    expect(attempts[0]?.facts.quality.outboundConnects).toBe(1);
  });
});

describe('attempts per number (judged at query time, per period)', () => {
  const HOUR = 60 * MIN;
  const report = (periods: { start: number; end: number }[], attempts: { startedAt: number; numberHash: string }[]) =>
    buildReport([], {
      metrics: ['attemptsPerNumber'],
      attempts,
      periods,
      groupBy: [],
      policyFor: () => POLICY,
      membershipOf: () => ({ teamId: null, siteId: null }),
      now: T0 + 10 * HOUR,
    }).map((r) => r.metrics.attemptsPerNumber);

  it('attempts / distinct numbers in each period; a number dialled in two periods is one number in both together', () => {
    const attempts = [
      { startedAt: T0, numberHash: 'n1' },
      { startedAt: T0 + MIN, numberHash: 'n1' },
      { startedAt: T0 + 2 * MIN, numberHash: 'n2' },
      { startedAt: T0 + HOUR, numberHash: 'n1' },
    ];
    const hours = report(
      [
        { start: T0, end: T0 + HOUR },
        { start: T0 + HOUR, end: T0 + 2 * HOUR },
        { start: T0 + 2 * HOUR, end: T0 + 3 * HOUR },
      ],
      attempts,
    );
    expect(hours.map((m) => [m?.numerator, m?.denominator, m?.value])).toEqual([
      [3, 2, 1.5],
      [1, 1, 1],
      [0, 0, null],
    ]);
    // Not the sum of the hours: n1 is one number over the two hours.
    expect(report([{ start: T0, end: T0 + 2 * HOUR }], attempts)[0]).toMatchObject({ numerator: 4, denominator: 2, value: 2 });
    expect(report([{ start: T0, end: T0 + 2 * HOUR }], [])[0]).toMatchObject({ numerator: 0, denominator: 0, value: null });
  });
});
