import { describe, expect, it } from 'vitest';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import { computeMetric, type KpiPolicy } from './compute';
import { explainCell, recordsOfCell } from './explain';
import { BUCKET_MS, type Cell, factsFromRecords, mergeAll } from './facts';
import { buildReport } from './report';
import { interaction, interval, MIN, POLICY, segment, T0, visit } from './test-records';

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

describe("contacts per hour: right-party contacts an agent handled / the agent's logged-in hours", () => {
  const HOUR = 60 * MIN;
  const rpc = (at = T0 + 30 * MIN) => ({ disposition: { resolved: true, code: null, category: 'rpc', at } });
  type Call = {
    segments?: Partial<SegmentRecord>[];
    visits?: [VisitRecord['outcome'], Partial<VisitRecord>?][];
    call?: Partial<InteractionFacts>;
  };
  type PerHourCase = {
    name: string;
    calls: Call[];
    /** Agent → its logged-in [from, to) minutes after T0 (available). */
    loggedIn?: Record<string, [number, number]>;
    /** Agent → [numerator, denominator in hours] over the day. */
    expected: Record<string, [number, number]>;
  };
  const CASES: PerHourCase[] = [
    {
      name: 'an agent dialled and spoke, right party: one contact in half an hour',
      calls: [{ segments: [{}], call: rpc() }],
      loggedIn: { a1: [0, 30] },
      expected: { a1: [1, 0.5] },
    },
    {
      name: 'queued by the dialer and answered: the answering agent’s',
      calls: [{ visits: [['answered', { agentId: 'a2' }]], segments: [{ agentId: 'a2' }], call: rpc() }],
      loggedIn: { a2: [0, 60] },
      expected: { a2: [1, 1] },
    },
    {
      name: 'passed on to another agent: the last segment’s agent',
      calls: [
        {
          segments: [
            { agentId: 'a1', connectedAt: T0 + 20 * MIN },
            { agentId: 'a2', connectedAt: T0 + 25 * MIN },
          ],
          call: rpc(),
        },
      ],
      loggedIn: { a1: [0, 60], a2: [0, 60] },
      expected: { a1: [0, 1], a2: [1, 1] },
    },
    {
      name: 'queued and abandoned before any agent, right-party category: nobody’s contact',
      calls: [{ visits: [['abandoned']], call: rpc() }],
      loggedIn: { a1: [0, 60] },
      expected: { a1: [0, 1] },
    },
    {
      name: 'spoke, not a right-party category',
      calls: [{ segments: [{}], call: { disposition: { resolved: true, code: null, category: 'wrong_party', at: T0 } } }],
      loggedIn: { a1: [0, 60] },
      expected: { a1: [0, 1] },
    },
    {
      name: 'spoke, dispositioned without a category',
      calls: [{ segments: [{}], call: { disposition: { resolved: true, code: null, at: T0 } } }],
      loggedIn: { a1: [0, 60] },
      expected: { a1: [0, 1] },
    },
    {
      name: 'an inbound call of a right-party category is no outbound contact',
      calls: [{ segments: [{}], call: { ...rpc(), direction: 'inbound' } }],
      loggedIn: { a1: [0, 60] },
      expected: { a1: [0, 1] },
    },
    {
      name: 'no interaction.started seen: not an attempt, not a contact',
      calls: [{ segments: [{}], call: { ...rpc(), startedAt: null } }],
      loggedIn: { a1: [0, 60] },
      expected: { a1: [0, 1] },
    },
    {
      name: 'a contact of an agent with no logged-in time: numerator 1 over 0 hours',
      calls: [{ segments: [{}], call: rpc() }],
      expected: { a1: [1, 0] },
    },
    {
      name: 'three contacts in an hour and a half',
      calls: [
        { segments: [{ connectedAt: T0 + 5 * MIN }], call: rpc() },
        { segments: [{ connectedAt: T0 + 40 * MIN }], call: rpc() },
        { segments: [{ connectedAt: T0 + 80 * MIN }], call: rpc(T0 + 85 * MIN) },
      ],
      loggedIn: { a1: [0, 90] },
      expected: { a1: [3, 1.5] },
    },
  ];

  const policy: KpiPolicy = { ...POLICY, rightPartyCategories: ['rpc'] };

  function cellsOf(calls: Call[], loggedIn: Record<string, [number, number]> = {}): Cell[] {
    const input = calls.map((c, n) => {
      const id = `o${n}`;
      return {
        segments: (c.segments ?? []).map((s) => segment({ interactionId: id, connectedAt: T0 + 20 * MIN, ...s })),
        visits: (c.visits ?? []).map(([o, v]) => visit(o, 3000, { interactionId: id, enqueuedAt: T0 + 16 * MIN, ...v })),
        interaction: interaction(id, { direction: 'outbound', startedAt: T0 + 15 * MIN, ...c.call }),
      };
    });
    return factsFromRecords(
      {
        segments: input.flatMap((i) => i.segments),
        visits: input.flatMap((i) => i.visits),
        interactions: input.map((i) => i.interaction),
        intervals: Object.entries(loggedIn).map(([agentId, [from, to]]) =>
          interval('available', T0 + from * MIN, T0 + to * MIN, { agentId }),
        ),
      },
      { asOf: T0 + 24 * HOUR },
    );
  }
  /** An agent's own cells (queue null): those agent metrics read. */
  const agentFacts = (cells: Cell[], agentId: string) =>
    mergeAll(cells.filter((c) => c.queueId === null && c.agentId === agentId).map((c) => c.facts));

  for (const c of CASES) {
    it(c.name, () => {
      const cells = cellsOf(c.calls, c.loggedIn);
      for (const [agentId, [numerator, hours]] of Object.entries(c.expected)) {
        const m = computeMetric('contactsPerHour', agentFacts(cells, agentId), policy);
        expect(m, agentId).toEqual({
          value: hours === 0 ? null : numerator / hours,
          numerator,
          denominator: hours,
          unit: 'perHour',
        });
        // Without right-party categories there are none, over the same hours.
        expect(computeMetric('contactsPerHour', agentFacts(cells, agentId), POLICY)).toMatchObject({
          numerator: 0,
          denominator: hours,
        });
      }
    });
  }

  it('counts where the last segment connected (in the agent’s cell), not where the attempt started (the tenant’s)', () => {
    // Dialled at 09:14, spoken with from 09:16, dispositioned at 09:40.
    const cells = cellsOf(
      [{ segments: [{ connectedAt: T0 + 16 * MIN }], call: { ...rpc(T0 + 40 * MIN), startedAt: T0 + 14 * MIN } }],
      { a1: [0, 60] },
    );
    const contacts = cells.filter((c) => Object.keys(c.facts.quality.agentOutboundByCategory).length > 0);
    expect(contacts.map((c) => [c.bucketStart, c.queueId, c.agentId])).toEqual([
      [T0 + BUCKET_MS, null, 'a1'],
      [T0 + BUCKET_MS, 'q1', null],
      [T0 + BUCKET_MS, 'q1', 'a1'],
    ]);
    // The right-party contact of the tenant counts where the attempt started.
    const attempt = cells.find((c) => c.facts.quality.outboundAttempts > 0);
    expect([attempt?.bucketStart, attempt?.agentId]).toEqual([T0, null]);
    const quarter = (b: number) =>
      mergeAll(cells.filter((c) => c.bucketStart === b && c.queueId === null && c.agentId === 'a1').map((c) => c.facts));
    expect(computeMetric('contactsPerHour', quarter(T0), policy)).toMatchObject({ numerator: 0, denominator: 0.25 });
    expect(computeMetric('contactsPerHour', quarter(T0 + BUCKET_MS), policy)).toMatchObject({
      numerator: 1,
      denominator: 0.25,
      value: 4,
    });
  });

  it('a team is the sum of its agents: contacts over hours, not a mean of the agents’ rates', () => {
    const cells = cellsOf(
      [
        { segments: [{ agentId: 'a1', connectedAt: T0 + 5 * MIN }], call: rpc() },
        { segments: [{ agentId: 'a1', connectedAt: T0 + 10 * MIN }], call: rpc() },
        { segments: [{ agentId: 'a2', connectedAt: T0 + 20 * MIN }], call: rpc() },
      ],
      { a1: [0, 60], a2: [0, 15] },
    );
    const [row] = buildReport(cells, {
      metrics: ['contactsPerHour'],
      periods: [{ start: T0, end: T0 + 24 * HOUR }],
      groupBy: ['team'],
      policyFor: () => policy,
      membershipOf: () => ({ teamId: 't1', siteId: null }),
      now: T0 + 24 * HOUR,
    });
    // (2 + 1) / (1 + 0.25) = 2.4 — not (2 + 4) / 2.
    expect(row?.metrics.contactsPerHour).toMatchObject({ numerator: 3, denominator: 1.25, value: 2.4, unit: 'perHour' });
  });

  it('explained: the agent’s calls in the numerator, its state intervals in the denominator, adding up to the cell', () => {
    const calls: Call[] = [
      { segments: [{ connectedAt: T0 + 5 * MIN }], call: rpc() },
      { segments: [{ connectedAt: T0 + 6 * MIN }], call: { disposition: { resolved: true, code: null, category: 'x', at: T0 } } },
      { segments: [{ agentId: 'a2', connectedAt: T0 + 7 * MIN }], call: rpc() },
    ];
    const input = {
      segments: calls.flatMap((c, n) => (c.segments ?? []).map((s) => segment({ interactionId: `o${n}`, ...s }))),
      interactions: calls.map((c, n) => interaction(`o${n}`, { direction: 'outbound', startedAt: T0, ...c.call })),
      intervals: [interval('available', T0, T0 + 20 * MIN), interval('busy', T0 + 20 * MIN, T0 + 40 * MIN)],
    };
    const sel = { start: T0, end: T0 + HOUR, person: (a: string) => a === 'a1', asOf: T0 + HOUR };
    const records = recordsOfCell('contactsPerHour', input, sel);
    const explained = explainCell('contactsPerHour', records, policy);
    expect(explained).toMatchObject({ numerator: 1, denominator: 40 / 60, unit: 'perHour' });
    expect(explained.value).toBeCloseTo(1.5, 12);
    // In order of their instant (a call: its disposition's), then id; a2's call is not a1's.
    expect(records.map((r) => [r.kind, r.id])).toEqual([
      ['interaction', 'o1'],
      ['interval', input.intervals[0]?.id],
      ['interval', input.intervals[1]?.id],
      ['interaction', 'o0'],
    ]);
    expect(explained.decisions.map((d) => [d.inNumerator, d.inDenominator, d.numerator])).toEqual([
      [false, false, 0],
      [false, true, 0],
      [false, true, 0],
      [true, false, 1],
    ]);
    expect(explained.decisions[1]?.denominator).toBeCloseTo(1 / 3, 12);
  });
});
