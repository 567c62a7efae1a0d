import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StateInterval } from '../agents/presence';
import type { InteractionFacts, SegmentRecord, VisitRecord } from '../calls/records';
import { AGENT_STATES, QUEUE_OUTCOMES } from '../events/event-types';
import { type FactMetricId, METRICS } from './catalog';
import { computeMetric, type KpiPolicy } from './compute';
import { type CellSelector, explainCell, recordsOfCell } from './explain';
import { BUCKET_MS, factsFromRecords, mergeAll, type RecordsInput } from './facts';
import { buildReport } from './report';
import { T0 } from './test-records';

/**
 * Property: for random records, policies and cells, the per-record judgements of explain.ts add up to what
 * the report gives for the cell — the cell's facts built by factsFromRecords, its cells chosen as
 * `src/services/kpis/kpis.ts` chooses them, computed by computeMetric through buildReport.
 */

const BUCKETS = 8;
const QUEUES = ['q1', 'q2'];
const AGENTS = ['a1', 'a2', 'a3'];
const CALLS = Array.from({ length: 12 }, (_, i) => `i${i}`);
const FACT_METRICS = METRICS.filter((m) => m.fromFacts).map((m) => m.id as FactMetricId);
/** The metrics whose judgement depends on the service-level thresholds. */
const THRESHOLD_DRIVEN: FactMetricId[] = [
  'offered',
  'answered',
  'abandoned',
  'shortAbandons',
  'serviceLevel',
  'answerRate',
  'abandonRate',
  'asa',
  'avgAbandonTime',
];

/** Instants from a bucket before the cells to one after, often on a bucket edge. */
const instant = fc.oneof(
  fc.integer({ min: -1, max: BUCKETS + 1 }).map((b) => T0 + b * BUCKET_MS),
  fc.integer({ min: -BUCKET_MS, max: (BUCKETS + 1) * BUCKET_MS }).map((d) => T0 + d),
);
/** Waits on, just under and just over whole seconds (where ≤ T is decided), beyond 3600 s, and the odd negative one. */
const wait = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 30 }), fc.constantFrom(0, 0, 1, -1, 500)).map(([s, d]) => Math.max(0, s * 1000 + d)),
  fc.constantFrom(3_600_000, 3_600_001, 3_601_000, 9_000_000, -5),
  fc.integer({ min: 0, max: 4_000_000 }),
);
const seconds = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(0, 3600), fc.integer({ min: 0, max: 3600 }));

const visitArb = fc
  .record({
    n: fc.nat(),
    interactionId: fc.constantFrom(...CALLS),
    queueId: fc.constantFrom(...QUEUES),
    enqueuedAt: instant,
    outcome: fc.option(fc.constantFrom(...QUEUE_OUTCOMES, 'answered', 'abandoned', 'abandoned'), { freq: 8 }),
    waitMs: fc.option(wait, { freq: 12 }),
    agentId: fc.option(fc.constantFrom(...AGENTS), { freq: 6 }),
  })
  .map(
    (v): VisitRecord => ({
      id: `v${v.n}`,
      interactionId: v.interactionId,
      queueId: v.queueId,
      legId: null,
      enqueuedAt: v.enqueuedAt,
      enqueuedAtSource: 'provider',
      leftAt: null,
      outcome: v.outcome,
      closedBy: v.outcome === null ? null : 'event',
      waitMs: v.outcome === null ? null : v.waitMs,
      agentId: v.agentId,
      answeredAt: null,
    }),
  );

const segmentArb = fc
  .record({
    n: fc.nat(),
    interactionId: fc.constantFrom(...CALLS),
    queueId: fc.constantFrom(...QUEUES),
    agentId: fc.constantFrom(...AGENTS),
    connectedAt: instant,
    done: fc.boolean(),
    talkMs: fc.integer({ min: 0, max: 900_000 }),
    holdMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120_000 })),
    holdCount: fc.integer({ min: 0, max: 3 }),
    wrap: fc.constantFrom('none', 'done', 'pending'),
    acwMs: fc.integer({ min: 0, max: 300_000 }),
    transferred: fc.boolean(),
  })
  .map(
    (s): SegmentRecord => ({
      id: `s${s.n}`,
      interactionId: s.interactionId,
      agentId: s.agentId,
      queueId: s.queueId,
      visitId: null,
      connectedAt: s.connectedAt,
      disconnectedAt: s.done ? s.connectedAt + 1000 : null,
      talkMs: s.done ? s.talkMs : null,
      holdMs: s.holdMs,
      holdCount: s.holdCount,
      onHoldSince: null,
      wrapupStartedAt: s.wrap === 'none' ? null : s.connectedAt + 1,
      wrapupEndedAt: s.wrap === 'done' ? s.connectedAt + 2 : null,
      acwMs: s.wrap === 'done' ? s.acwMs : null,
      transferred: s.transferred,
      endedBy: null,
    }),
  );

const interactionArb = (id: string) =>
  fc
    .record({
      direction: fc.constantFrom('inbound', 'outbound', null),
      // An outbound call with a start is an attempt (outbound metrics); without one it is not.
      startedAt: fc.option(instant),
      disposition: fc.option(
        fc
          .record({
            resolved: fc.boolean(),
            code: fc.constantFrom(null, 'fixed'),
            category: fc.option(fc.constantFrom('billing', 'rude_agent', 'info')),
            at: instant,
          })
          .map(({ category, ...d }) => (category === null ? d : { ...d, category })),
      ),
      survey: fc.option(
        fc
          .record({
            scaleMax: fc.constantFrom(5, 10),
            score: fc.integer({ min: 1, max: 10 }),
            satisfiedScore: fc.option(fc.integer({ min: 1, max: 10 })),
            at: instant,
          })
          .map((s) => ({
            score: Math.min(s.score, s.scaleMax),
            scaleMin: 1,
            scaleMax: s.scaleMax,
            ...(s.satisfiedScore === null ? {} : { satisfiedScore: s.satisfiedScore }),
            at: s.at,
          })),
      ),
      ivr: fc.option(fc.record({ selfServed: fc.boolean(), at: instant })),
    })
    .map(
      (i): InteractionFacts => ({
        id,
        callerHash: null,
        callerMasked: null,
        endedAt: null,
        hangupCause: null,
        endedBy: null,
        ...i,
      }),
    );

/** Each agent's state intervals, back to back from before the cells, the last one sometimes still open. */
const intervalsArb = fc
  .tuple(
    ...AGENTS.map((agentId) =>
      fc
        .array(
          fc.record({
            state: fc.constantFrom(...AGENT_STATES),
            reason: fc.constantFrom(null, 'lunch'),
            ms: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 1, max: 3 * BUCKET_MS })),
          }),
          { maxLength: 12 },
        )
        .chain((list) =>
          fc.tuple(fc.integer({ min: 0, max: 2 * BUCKET_MS }), fc.boolean()).map(([lead, open]) => {
            let at = T0 - lead;
            return list.map((x, k): StateInterval => {
              const startedAt = at;
              at += x.ms;
              const last = k === list.length - 1 && open;
              return { id: `${agentId}|${k}`, agentId, state: x.state, reason: x.reason, startedAt, endedAt: last ? null : at };
            });
          }),
        ),
    ),
  )
  .map((lists) => lists.flat());

const recordsArb = fc
  .record({
    visits: fc.uniqueArray(visitArb, { maxLength: 30, selector: (v) => v.id }),
    segments: fc.uniqueArray(segmentArb, { maxLength: 20, selector: (s) => s.id }),
    intervals: intervalsArb,
    interactions: fc.tuple(...CALLS.map((id) => fc.option(interactionArb(id), { freq: 6 }))),
  })
  .map((r) => ({ ...r, interactions: r.interactions.filter((i): i is InteractionFacts => i !== null) }));

const policyArb = fc.record({
  thresholdSeconds: seconds,
  targetPercent: fc.constant(80),
  shortAbandonSeconds: seconds,
  abandonsInDenominator: fc.boolean(),
  excludeShortAbandons: fc.boolean(),
  flowOutsInDenominator: fc.boolean(),
  abandonsWithinThresholdMet: fc.boolean(),
  csatSatisfiedScore: fc.option(fc.integer({ min: 1, max: 10 })),
  complaintCategories: fc.subarray(['billing', 'rude_agent', 'other']),
  rightPartyCategories: fc.subarray(['info', 'billing', 'other']),
}) satisfies fc.Arbitrary<KpiPolicy>;

/** A cell: some buckets, maybe about people (some agents, each in the group from some bucket on), maybe one direction. */
const cellArb = fc.record({
  first: fc.integer({ min: 0, max: BUCKETS - 1 }),
  length: fc.integer({ min: 1, max: BUCKETS }),
  people: fc.option(
    fc.tuple(fc.subarray(AGENTS), fc.array(fc.integer({ min: 0, max: BUCKETS }), { minLength: 3, maxLength: 3 })),
  ),
  direction: fc.option(fc.constantFrom('inbound', 'outbound', 'unknown') as fc.Arbitrary<'inbound' | 'outbound' | 'unknown'>),
  asOf: fc.integer({ min: 0, max: (BUCKETS + 1) * BUCKET_MS }).map((d) => T0 + d),
});

type CellArb = typeof cellArb extends fc.Arbitrary<infer T> ? T : never;

function selectorOf(c: CellArb): CellSelector {
  const start = T0 + c.first * BUCKET_MS;
  const person = c.people
    ? (agentId: string, bucketStart: number) => {
        const [agents, from] = c.people as [string[], number[]];
        return agents.includes(agentId) && bucketStart >= T0 + (from[AGENTS.indexOf(agentId)] as number) * BUCKET_MS;
      }
    : null;
  return { start, end: start + c.length * BUCKET_MS, person, direction: c.direction, asOf: c.asOf };
}

/** The cell as GET /v1/kpis computes it: records of the direction, cells of the range and the people, one row. */
function reportCell(id: FactMetricId, input: RecordsInput, sel: CellSelector, policy: KpiPolicy) {
  const dir = new Map((input.interactions ?? []).map((i) => [i.id, i.direction ?? 'unknown']));
  const mine = (r: { interactionId: string }) => !sel.direction || (dir.get(r.interactionId) ?? 'unknown') === sel.direction;
  const records: RecordsInput = sel.direction
    ? {
        visits: input.visits?.filter(mine),
        segments: input.segments?.filter(mine),
        intervals: input.intervals,
        interactions: input.interactions?.filter((i) => (i.direction ?? 'unknown') === sel.direction),
      }
    : input;
  const person = sel.person;
  const cells = factsFromRecords(records, { asOf: sel.asOf }).filter(
    (c) =>
      c.bucketStart >= sel.start &&
      c.bucketStart < sel.end &&
      (person === null || (c.agentId !== null && person(c.agentId, c.bucketStart))),
  );
  const [row] = buildReport(cells, {
    metrics: [id],
    periods: [{ start: sel.start, end: sel.end }],
    groupBy: [],
    byPerson: person !== null,
    policyFor: () => policy,
    membershipOf: () => ({ teamId: null, siteId: null }),
    now: sel.asOf,
  });
  const m = row?.metrics[id];
  if (!m) throw new Error('no row');
  return m;
}

// Some seconds of work each: the timeouts leave room for a machine under load.
describe('explain agrees with compute', () => {
  it('for every metric, the judgements of the cell records add up to the report numerator, denominator and value', () => {
    fc.assert(
      fc.property(recordsArb, policyArb, cellArb, (records, policy, cell) => {
        const sel = selectorOf(cell);
        for (const id of FACT_METRICS) {
          const expected = reportCell(id, records, sel, policy);
          const explained = explainCell(id, recordsOfCell(id, records, sel), policy);
          expect({ id, value: explained.value, numerator: explained.numerator, denominator: explained.denominator }).toEqual({
            id,
            value: expected.value,
            numerator: expected.numerator,
            denominator: expected.denominator,
          });
          for (const d of explained.decisions) {
            // An amount is never added by a record the judgement leaves out.
            if (!d.inNumerator) expect(d.numerator).toBe(0);
            if (!d.inDenominator) expect(d.denominator).toBe(0);
            expect(d.reason.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('threshold-driven metrics: counting the visits in each part gives computeMetric over the same visits', () => {
    fc.assert(
      fc.property(fc.uniqueArray(visitArb, { maxLength: 40, selector: (v) => v.id }), policyArb, (visits, policy) => {
        const sel: CellSelector = { start: T0 - BUCKET_MS, end: T0 + (BUCKETS + 2) * BUCKET_MS, person: null, asOf: T0 };
        // Every visit once: queue cells only (a visit is in its queue's cell, and in no other of these).
        const queueCells = factsFromRecords({ visits }, { asOf: T0, cells: { queueAgent: false, agent: false, tenant: false } });
        const facts = mergeAll(queueCells.map((c) => c.facts));
        for (const id of THRESHOLD_DRIVEN) {
          const expected = computeMetric(id, facts, policy);
          const { decisions } = explainCell(id, recordsOfCell(id, { visits }, sel), policy);
          const inNumerator = decisions.filter((d) => d.inNumerator);
          const isMean = id === 'asa' || id === 'avgAbandonTime';
          // Records counted; for the two mean waits, the waits of the records counted summed.
          const numerator = isMean ? inNumerator.reduce((n, d) => n + d.numerator, 0) : inNumerator.length;
          const denominator = expected.denominator === null ? null : decisions.filter((d) => d.inDenominator).length;
          expect({ id, numerator, denominator }).toEqual({
            id,
            numerator: expected.numerator,
            denominator: expected.denominator,
          });
        }
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
