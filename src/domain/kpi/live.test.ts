import { describe, expect, it } from 'vitest';
import type { SegmentRecord, VisitRecord } from '../calls/records';
import { QUEUE_OUTCOMES, type QueueOutcome } from '../events/event-types';
import { METRICS, metricDefinition } from './catalog';
import { computeMetric } from './compute';
import { BUCKET_MS, emptyFacts, factsFromRecords, mergeAll } from './facts';
import {
  decidedByQueueAlone,
  LIVE_METRICS,
  LiveFactsIndex,
  type LiveRecords,
  liveMetrics,
  queueFacts,
  sumLiveMetrics,
} from './live';
import { POLICY, prng, segment, T0, visit } from './test-records';

type Rand = ReturnType<typeof prng>;
const SPAN = 8 * BUCKET_MS;

function randomRecords(r: Rand, id: string): LiveRecords {
  const start = T0 + r.int(-BUCKET_MS, SPAN);
  const visits: VisitRecord[] = [];
  const segments: SegmentRecord[] = [];
  for (let k = r.int(0, 2), ord = 0; ord < k; ord++) {
    const outcome: QueueOutcome | null = r.bool(0.15) ? null : r.pick([...QUEUE_OUTCOMES, 'answered', 'abandoned']);
    const wait = outcome === null || r.bool(0.05) ? null : r.int(0, 90_000);
    visits.push(visit(outcome, wait, { id: `${id}|v${ord}`, interactionId: id, enqueuedAt: start + ord * 61_000 }));
  }
  for (let k = r.int(0, 2), ord = 0; ord < k; ord++) {
    const connectedAt = start + r.int(0, 30 * 60_000);
    const done = r.bool(0.8);
    segments.push(
      segment({
        id: `${id}|s${ord}`,
        interactionId: id,
        agentId: r.pick(['a1', 'a2']),
        connectedAt,
        disconnectedAt: done ? connectedAt + r.int(1000, 600_000) : null,
        talkMs: done ? r.int(1000, 500_000) : null,
        holdMs: r.bool(0.3) ? r.int(1, 60_000) : 0,
        holdCount: r.int(0, 2),
        acwMs: done && r.bool(0.5) ? r.int(0, 60_000) : null,
        transferred: r.bool(0.1),
      }),
    );
  }
  return { visits, segments };
}

/** What a full recomputation gives: every record counted in [from, to), through factsFromRecords. */
function reference(all: Map<string, LiveRecords>, from: number, to: number) {
  const visits = [...all.values()].flatMap((r) => r.visits.filter((v) => v.enqueuedAt >= from && v.enqueuedAt < to));
  const segments = [...all.values()].flatMap((r) => r.segments.filter((s) => s.connectedAt >= from && s.connectedAt < to));
  return mergeAll(
    factsFromRecords(
      { visits, segments },
      { asOf: 0, cells: { queue: true, queueAgent: false, agent: false, tenant: false } },
    ).map((c) => c.facts),
  );
}

describe('LiveFactsIndex', () => {
  it('always equals a full recomputation from the records, through any sequence of replacements and ranges', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const r = prng(seed);
      const index = new LiveFactsIndex();
      const all = new Map<string, LiveRecords>();
      const ids = Array.from({ length: r.int(1, 25) }, (_, i) => `i${i}`);
      for (let step = 0; step < 40; step++) {
        const id = r.pick(ids);
        if (r.bool(0.15)) {
          index.replace(id, null);
          all.delete(id);
        } else {
          const recs = randomRecords(r, id);
          index.replace(id, recs);
          all.set(id, recs);
        }
        // Ranges aligned on buckets (today), cut inside them (rolling windows), empty and reversed.
        const from = T0 + r.pick([0, r.int(-BUCKET_MS, SPAN), BUCKET_MS * r.int(0, 4)]);
        const to = from + r.pick([BUCKET_MS * r.int(1, 8), r.int(0, SPAN), 15 * 60_000, 0]);
        expect(index.facts(from, to), `seed ${seed} step ${step} [${from - T0}, ${to - T0})`).toEqual(reference(all, from, to));
      }
      index.forgetBefore(T0 + 4 * BUCKET_MS);
      const from = T0 + 4 * BUCKET_MS;
      expect(index.facts(from, from + SPAN)).toEqual(reference(all, from, from + SPAN));
    }
  });

  it('forgets interactions with nothing left in the range a window reads', () => {
    const index = new LiveFactsIndex();
    index.replace('old', { visits: [visit('answered', 1000, { interactionId: 'old', enqueuedAt: T0 })], segments: [] });
    index.replace('new', {
      visits: [visit('answered', 1000, { interactionId: 'new', enqueuedAt: T0 + BUCKET_MS })],
      segments: [],
    });
    index.forgetBefore(T0 + BUCKET_MS);
    expect(index.size).toBe(1);
    expect(index.facts(T0, T0 + 2 * BUCKET_MS).visits.byOutcome.answered.n).toBe(1);
  });

  it('computes each live metric with the catalog formula, numerator and denominator included', () => {
    const facts = queueFacts(
      [visit('answered', 10_000), visit('answered', 30_000), visit('abandoned', 3_000), visit(null, null)],
      [segment({ talkMs: 120_000, acwMs: 30_000, holdMs: 0 })],
    );
    const m = liveMetrics(facts, POLICY);
    expect(Object.keys(m).sort()).toEqual([...LIVE_METRICS].sort());
    for (const id of LIVE_METRICS) expect(m[id]).toEqual(computeMetric(id, facts, POLICY));
    expect(m.offered).toMatchObject({ value: 4, numerator: 4 });
    expect(m.waiting).toMatchObject({ value: 1 });
    expect(m.serviceLevel).toMatchObject({ numerator: 1, denominator: 2 });
    expect(m.asa).toMatchObject({ value: 20_000, numerator: 40_000, denominator: 2 });
  });

  it('carries only metrics a queue decides alone: no quality, direction or agent-state metric', () => {
    expect([...LIVE_METRICS].sort()).toEqual(
      METRICS.filter(decidedByQueueAlone)
        .map((m) => m.id)
        .sort(),
    );
    for (const id of LIVE_METRICS) {
      const d = metricDefinition(id);
      expect(d.scope).toBe('queue');
      expect(d.facts.some((f) => f.startsWith('quality.') || f.includes('byDirection') || f.startsWith('states.'))).toBe(false);
    }
    expect(LIVE_METRICS).toEqual(
      expect.arrayContaining([
        'offered',
        'answered',
        'abandoned',
        'shortAbandons',
        'unknown',
        'serviceLevel',
        'asa',
        'aht',
        'abandonRate',
        'answerRate',
        'transferRate',
        'maxWait',
      ]),
    );
    expect(new LiveFactsIndex().facts(T0, T0 + BUCKET_MS)).toEqual(emptyFacts());
  });

  it('totals of queues under one policy equal the metrics of their merged facts', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = prng(seed);
      const queues = Array.from({ length: r.int(0, 4) }, (_, q) => {
        const recs = Array.from({ length: r.int(0, 6) }, (_, i) => randomRecords(r, `q${q}i${i}`));
        return queueFacts(
          recs.flatMap((x) => x.visits),
          recs.flatMap((x) => x.segments),
        );
      });
      const summed = sumLiveMetrics(queues.map((f) => liveMetrics(f, POLICY)));
      const merged = liveMetrics(mergeAll(queues), POLICY);
      for (const id of LIVE_METRICS) {
        expect(summed[id].numerator, `seed ${seed} ${id}`).toBe(merged[id].numerator);
        expect(summed[id].denominator, `seed ${seed} ${id}`).toBe(merged[id].denominator);
        if (merged[id].value === null) expect(summed[id].value).toBeNull();
        else expect(summed[id].value).toBeCloseTo(merged[id].value as number, 12);
      }
    }
  });
});
