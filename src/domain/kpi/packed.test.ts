import { describe, expect, it } from 'vitest';
import { QUEUE_OUTCOMES } from '../events/event-types';
import { DEFAULT_SERVICE_LEVEL } from '../settings';
import { type FactMetricId, METRICS, metricDefinition, OUTBOUND_FACT_METRICS } from './catalog';
import { computeMetric, factBranchesFor, type KpiPolicy, waitProbeFor } from './compute';
import { type Cell, type CellFacts, emptyFacts, factsFromRecords, mergeAll } from './facts';
import { packCell, probedUnpacker, unpackCell, unpackProbed, WAIT_KEY_STRIDE, WAIT_OUTCOME_CODE, waitProbeKeys } from './packed';
import { buildReport } from './report';
import { interaction, interval, MIN, prng, segment, T0, visit } from './test-records';

/** What Postgres answers for a probe key (src/services/kpis/cell-source.ts): the running total at the last key ≤ it. */
function totalsAt(keys: number[], totals: number[], probes: number[]): number[] {
  return probes.map((p) => {
    let at = 0;
    keys.forEach((k, i) => {
      if (k <= p) at = totals[i] as number;
    });
    return at;
  });
}

function randomCells(seed: number) {
  const r = prng(seed);
  const visits = Array.from({ length: 60 }, () =>
    visit(
      r.pick(['answered', 'abandoned', 'timeout', 'unknown', null] as const),
      r.pick([0, 999, 1000, 1001, r.int(0, 90_000), 4_000_000]),
      {
        enqueuedAt: T0 + r.int(0, 3) * 15 * MIN,
      },
    ),
  );
  return factsFromRecords(
    {
      visits,
      segments: [
        segment({ holdMs: 5_000, holdCount: 1 }),
        segment({ connectedAt: T0 + 20 * MIN, disconnectedAt: null, talkMs: null }),
      ],
      intervals: [interval('away', T0, T0 + 50 * MIN, { reason: 'lunch' }), interval('available', T0 + 50 * MIN, null)],
      interactions: visits.map((v) =>
        interaction(v.interactionId, {
          survey: r.bool() ? { score: r.int(1, 5), scaleMin: 1, scaleMax: 5, at: v.enqueuedAt } : null,
        }),
      ),
    },
    { asOf: T0 + 60 * MIN },
  );
}

describe('packed cells', () => {
  it('drop zeros and empty branches, keep histograms as sorted keys with running totals, and unpack to exactly the facts built', () => {
    const cells = randomCells(7);
    expect(cells.length).toBeGreaterThan(4);
    for (const c of cells) {
      const packed = JSON.parse(JSON.stringify(packCell(c.facts)));
      expect(unpackCell(packed)).toEqual(c.facts);
      expect(JSON.stringify(packed.facts)).not.toContain('bySecond');
      expect(packed.waitKeys).toEqual([...packed.waitKeys].sort((a: number, b: number) => a - b));
      expect(new Set(packed.waitKeys).size).toBe(packed.waitKeys.length);
      expect(packed.waitTotals.at(-1) ?? 0).toBe(
        QUEUE_OUTCOMES.reduce((n, o) => n + Object.values(c.facts.visits.byOutcome[o].bySecond).reduce((a, b) => a + b, 0), 0),
      );
    }
  });

  it('round-trip every leaf of the facts, each with a value of its own', () => {
    const f = emptyFacts();
    let next = 1;
    const fillLeaves = (node: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'number') node[k] = next++;
        else if (v && typeof v === 'object') fillLeaves(v as Record<string, unknown>);
      }
    };
    fillLeaves(f as unknown as Record<string, unknown>);
    for (const o of QUEUE_OUTCOMES) f.visits.byOutcome[o].bySecond = { '3': next++, '3601': next++ };
    f.quality.surveyScores['1|5|4'] = next++;
    f.quality.surveyScores['1|10|7|8'] = next++;
    f.quality.dispositionsByCategory.billing = next++;
    f.quality.outboundConnectsByCategory.rpc = next++;
    f.states.awayMsByReason.lunch = next++;
    f.states.breaksByReason.lunch = { n: next++, ms: next++ };
    expect(next).toBeGreaterThan(70);
    expect(unpackCell(JSON.parse(JSON.stringify(packCell(f))))).toEqual(f);
  });

  it('read as a report reads them — only the branches and wait totals its metrics need — give every metric’s row as the full facts do', () => {
    const metrics = METRICS.filter((m) => m.fromFacts).map((m) => m.id as FactMetricId);
    const policy: KpiPolicy = DEFAULT_SERVICE_LEVEL;
    for (const seed of [3, 4, 5]) {
      // Open intervals and waiting visits make some values partial: status must come out the same.
      const cells = randomCells(seed);
      const report = (cs: Cell[], id: FactMetricId) =>
        buildReport(cs, {
          metrics: [id],
          periods: [{ start: T0, end: T0 + 60 * MIN }],
          groupBy: metricDefinition(id).scope === 'agent' ? ['agent'] : metricDefinition(id).scope === 'queue' ? ['queue'] : [],
          policyFor: () => policy,
          membershipOf: () => ({ teamId: null, siteId: null }),
          now: T0 + 2 * 60 * MIN,
        });
      for (const id of metrics) {
        const probe = waitProbeFor([id], [policy]) ?? { outcomes: [], thresholds: [] };
        const branches = factBranchesFor([id]);
        const read = cells.map((c) => {
          const p = packCell(c.facts);
          const tree = Object.fromEntries(Object.entries(p.facts).filter(([b]) => (branches as string[]).includes(b)));
          return { ...c, facts: unpackProbed(tree, probe, totalsAt(p.waitKeys, p.waitTotals, waitProbeKeys(probe))) };
        });
        expect(report(read, id), `${id}, seed ${seed}`).toEqual(report(cells, id));
      }
    }
    expect(factBranchesFor(['serviceLevel'])).toEqual(['visits']);
    expect(factBranchesFor(['avgTalkTime'])).toEqual(['visits', 'segments']);
    expect(factBranchesFor(['occupancy'])).toEqual(['states']);
  });

  it('added straight from stored rows into an accumulator, give what unpacking then merging gives', () => {
    const policy: KpiPolicy = DEFAULT_SERVICE_LEVEL;
    const probe = { outcomes: ['answered', 'abandoned', 'unknown'] as const, thresholds: [policy.thresholdSeconds, 5, 37] };
    const stored = (f: CellFacts) => {
      const p = packCell(f);
      return { tree: JSON.parse(JSON.stringify(p.facts)), totals: totalsAt(p.waitKeys, p.waitTotals, waitProbeKeys(probe)) };
    };
    const unpacker = probedUnpacker(probe);
    // Every leaf filled (reasons, scores, breaks too), and random cells.
    const full = emptyFacts();
    let next = 1;
    const fillLeaves = (node: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'number') node[k] = next++;
        else if (v && typeof v === 'object') fillLeaves(v as Record<string, unknown>);
      }
    };
    fillLeaves(full as unknown as Record<string, unknown>);
    for (const o of QUEUE_OUTCOMES)
      full.visits.byOutcome[o].bySecond = { '5': 1, [String(1 + (next % 60))]: full.visits.byOutcome[o].timed - 1 };
    full.states.breaksByReason.lunch = { n: 2, ms: 60_000 };
    full.states.awayMsByReason.lunch = 60_000;
    full.quality.surveyScores['1|5|4'] = 3;
    full.quality.surveyScores['0|10|9|9'] = 2;
    full.quality.dispositionsByCategory.billing = 4;
    full.quality.outboundConnectsByCategory.rpc = 2;
    for (const seed of [1, 2, 3]) {
      const rows = [...randomCells(seed).map((c) => c.facts), full, full].map(stored);
      const unpacked = mergeAll(rows.map((r) => unpacker.unpack(r.tree, r.totals)));
      const acc = emptyFacts();
      for (const r of rows) unpacker.addTo(acc, r.tree, r.totals);
      expect(acc).toEqual(unpacked);
    }
  });

  it('rows stored before outbound facts read as before: every other metric the same, outbound ones 0', () => {
    const cells = factsFromRecords(
      {
        segments: [segment({ interactionId: 'o1' }), segment({ interactionId: 'c1' })],
        visits: [visit('abandoned', 4000, { interactionId: 'o2' })],
        interactions: [
          interaction('o1', {
            direction: 'outbound',
            startedAt: T0,
            disposition: { resolved: true, code: null, category: 'rpc', at: T0 },
          }),
          interaction('o2', { direction: 'outbound', startedAt: T0 }),
          interaction('o3', { direction: 'outbound', startedAt: T0 }),
          interaction('c1', { disposition: { resolved: false, code: null, category: 'billing', at: T0 } }),
        ],
      },
      { asOf: T0 + 60 * MIN },
    );
    const policy: KpiPolicy = { ...DEFAULT_SERVICE_LEVEL, complaintCategories: ['billing'], rightPartyCategories: ['rpc'] };
    const OUTBOUND: readonly string[] = OUTBOUND_FACT_METRICS;
    const now = mergeAll(cells.map((c) => unpackCell(packCell(c.facts))));
    expect(computeMetric('outboundAttempts', now, policy).value).toBe(3);
    // As stored before: the quality branch without the outbound leaves.
    const old = mergeAll(
      cells.map((c) => {
        const packed = JSON.parse(JSON.stringify(packCell(c.facts)));
        const q = packed.facts.quality ?? {};
        for (const k of Object.keys(q)) if (k.startsWith('outbound')) delete q[k];
        return unpackCell(packed);
      }),
    );
    for (const m of METRICS.filter((x) => x.fromFacts)) {
      const id = m.id as FactMetricId;
      if (OUTBOUND.includes(id)) expect(computeMetric(id, old, policy).numerator, id).toBe(0);
      else expect(computeMetric(id, old, policy), id).toEqual(computeMetric(id, now, policy));
    }
  });

  it('empty facts pack to nothing', () => {
    expect(packCell(emptyFacts())).toEqual({ facts: {}, waitKeys: [], waitTotals: [] });
    expect(unpackCell({ facts: {}, waitKeys: [], waitTotals: [] })).toEqual(emptyFacts());
  });

  it('keep what is not zero; a wait key is the outcome code times the stride plus the slot', () => {
    const f = emptyFacts();
    f.visits.byOutcome.answered.bySecond['20'] = 3;
    f.visits.byOutcome.abandoned.bySecond['3601'] = 2;
    f.states.breaksByReason.lunch = { n: 1, ms: 0 };
    expect(packCell(f)).toEqual({
      facts: { states: { breaksByReason: { lunch: { n: 1, ms: 0 } } } },
      waitKeys: [20, WAIT_OUTCOME_CODE.abandoned * WAIT_KEY_STRIDE + 3601],
      waitTotals: [3, 5],
    });
    expect(unpackCell(packCell(f))).toEqual(f);
  });

  it('refuse a wait key that names no outcome', () => {
    expect(() => unpackCell({ facts: {}, waitKeys: [99 * WAIT_KEY_STRIDE], waitTotals: [1] })).toThrow(RangeError);
  });

  it('probed as `waitProbeFor` says, give every metric of the catalog what the full facts give (merged, as a report merges them)', () => {
    const metrics = METRICS.filter((m) => m.fromFacts).map((m) => m.id as FactMetricId);
    for (let seed = 1; seed <= 40; seed++) {
      const r = prng(seed);
      const cells = randomCells(seed);
      const policy: KpiPolicy = {
        thresholdSeconds: r.pick([0, 1, 20, 37, 90, 3600]),
        targetPercent: 80,
        shortAbandonSeconds: r.pick([0, 1, 5, 20, 3600]),
        abandonsInDenominator: r.bool(),
        excludeShortAbandons: r.bool(),
        flowOutsInDenominator: r.bool(),
        abandonsWithinThresholdMet: r.bool(),
      };
      // Another policy in the same report (a queue's) adds its thresholds to the probe.
      const other: KpiPolicy = { ...policy, thresholdSeconds: r.int(0, 3600) };
      const full = mergeAll(cells.map((c) => c.facts));
      for (const id of metrics) {
        const probe = waitProbeFor([id], [policy, other]) ?? { outcomes: [], thresholds: [] };
        const probed = cells.map((c) => {
          const p = packCell(c.facts);
          return unpackProbed(p.facts, probe, totalsAt(p.waitKeys, p.waitTotals, waitProbeKeys(probe)));
        });
        const coarse = mergeAll(probed);
        for (const p of [policy, other])
          expect(computeMetric(id, coarse, p), `${id}, seed ${seed}`).toEqual(computeMetric(id, full, p));
      }
      expect(waitProbeFor(['serviceLevel'], [policy])?.outcomes).toEqual(['answered', 'abandoned']);
      expect(waitProbeFor(['offered', 'aht'], [policy])).toBeUndefined();
    }
  });
});
