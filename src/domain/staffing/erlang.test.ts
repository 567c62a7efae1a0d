import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  erlangB,
  erlangC,
  erlangCAgentsRequired,
  erlangCQueue,
  erlangCServiceLevel,
  offeredLoad,
  type StaffingTarget,
  type Traffic,
  withShrinkage,
} from './erlang';

/** Traffic in seconds: `calls` arriving over `seconds`, each handled for `aht` seconds on average. */
const traffic = (calls: number, seconds: number, aht: number): Traffic => ({ arrivalRate: calls / seconds, aht });
/** pyworkforce's test traffic: 100 calls in a 30-minute interval, AHT 3 minutes (A = 10 Erlangs). */
const PYWORKFORCE = traffic(100, 1800, 180);

describe('Erlang C: reference cases', () => {
  it('pyworkforce test_erlang.py test_expected_erlangc_results: A = 10, N = 14 → P(wait) 0.174, SL(20 s) 0.888, occupancy 0.714', () => {
    const q = erlangCQueue(PYWORKFORCE, 14);
    expect(q.load).toBeCloseTo(10, 12);
    expect(q.probabilityOfWaiting).toBeCloseTo(0.174, 3);
    expect(erlangCServiceLevel(PYWORKFORCE, 14, 20)).toBeCloseTo(0.888, 3);
    // pyworkforce's threshold is asa = 0.33 minutes, 19.8 s: the same to 3 places.
    expect(erlangCServiceLevel(PYWORKFORCE, 14, 19.8)).toBeCloseTo(0.888, 3);
    expect(q.occupancy).toBeCloseTo(0.714, 3);
  });

  it('pyworkforce test_expected_erlangc_results: 80 % in 20 s, max occupancy 0.85 → 14 raw positions, 20 with 30 % shrinkage', () => {
    const raw = erlangCAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 0.8, threshold: 19.8 }, maxOccupancy: 0.85 });
    expect(raw).toBe(14);
    expect(erlangCAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 0.8, threshold: 20 } })).toBe(14);
    expect(withShrinkage(raw, 0.3)).toBe(20);
  });

  it('pyworkforce test_over_occupancy_erlangc: max occupancy 0.7 → 15 raw, 22 scheduled, SL 0.941, occupancy 0.667, P(wait) 0.102', () => {
    const raw = erlangCAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 0.8, threshold: 19.8 }, maxOccupancy: 0.7 });
    expect(raw).toBe(15);
    expect(withShrinkage(raw, 0.3)).toBe(22);
    const q = erlangCQueue(PYWORKFORCE, raw);
    expect(erlangCServiceLevel(PYWORKFORCE, raw, 19.8)).toBeCloseTo(0.941, 3);
    expect(q.occupancy).toBeCloseTo(0.667, 3);
    expect(q.probabilityOfWaiting).toBeCloseTo(0.102, 3);
  });

  it('analytic M/M/2 closed form: A = 1 (10 calls/h, AHT 360 s), N = 2 → P(wait) = 1/3, ASA 120 s, SL(30 s) = 1 − e^(−1/12)/3', () => {
    const t = traffic(10, 3600, 360);
    const q = erlangCQueue(t, 2);
    // M/M/2: C = 2ρ²/(1 + ρ) with ρ = 1/2.
    expect(q.probabilityOfWaiting).toBeCloseTo(1 / 3, 14);
    expect(q.asa).toBeCloseTo(120, 10);
    expect(q.meanWaitOfDelayed).toBeCloseTo(360, 10);
    expect(q.meanQueueLength).toBeCloseTo(1 / 3, 14);
    expect(q.occupancy).toBe(0.5);
    expect(erlangCServiceLevel(t, 2, 30)).toBeCloseTo(1 - Math.exp(-1 / 12) / 3, 14);
  });

  it('staffing example (docs/ewt.md), Westbay load A = 48, 80 % in 15 s: Erlang C needs 55 (54 gives SL 0.7929)', () => {
    // The published example gives only A = 48; SL depends on the AHT too. 360 calls per 30 minutes at 240 s (the
    // Westbay example's traffic) is the AHT that reproduces its 0.7929.
    const t = traffic(360, 1800, 240);
    expect(offeredLoad(t)).toBeCloseTo(48, 12);
    expect(erlangCAgentsRequired(t, { serviceLevel: { target: 0.8, threshold: 15 } })).toBe(55);
    expect(erlangCServiceLevel(t, 54, 15)).toBeCloseTo(0.7929, 4);
  });

  it('staffing example (docs/ewt.md), A = 10 (AHT 180 s), 80 % in 20 s: Erlang C needs 14 (13 gives SL 0.7956)', () => {
    expect(erlangCAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 0.8, threshold: 20 } })).toBe(14);
    expect(erlangCServiceLevel(PYWORKFORCE, 13, 20)).toBeCloseTo(0.7956, 4);
  });
});

/** Erlang B by a sum in log space, ln k! accumulated term by term: a check of the recursion independent of it. */
function erlangBByLogSum(agents: number, load: number): number {
  const logTerms: number[] = [];
  let logFactorial = 0;
  for (let k = 0; k <= agents; k++) {
    if (k > 0) logFactorial += Math.log(k);
    logTerms.push(k * Math.log(load) - logFactorial);
  }
  const top = Math.max(...logTerms);
  const sum = logTerms.reduce((s, x) => s + Math.exp(x - top), 0);
  return Math.exp((logTerms[agents] as number) - top) / sum;
}

describe('Erlang C: large loads', () => {
  it('500 Erlangs on 501..700 agents (A^N/N! overflows a double from N = 171): the recursion agrees with a log-space sum to 1e-9', () => {
    for (let n = 501; n <= 700; n += 7) {
      const direct = erlangBByLogSum(n, 500);
      expect(Math.abs(erlangB(n, 500) - direct) / direct).toBeLessThan(1e-9);
      const c = erlangC(n, 500);
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });

  it('500 Erlangs, 80 % in 20 s at AHT 180 s needs a few more than A (the square-root rule: N ≈ A + β√A)', () => {
    const t = { arrivalRate: 500 / 180, aht: 180 };
    const n = erlangCAgentsRequired(t, { serviceLevel: { target: 0.8, threshold: 20 } });
    expect(n).toBeGreaterThan(500);
    expect(n).toBeLessThan(500 + 2 * Math.sqrt(500));
    expect(erlangCServiceLevel(t, n, 20)).toBeGreaterThanOrEqual(0.8);
    expect(erlangCServiceLevel(t, n - 1, 20)).toBeLessThan(0.8);
  });

  it('10,000 agents on 9,900 Erlangs: finite and in range', () => {
    const q = erlangCQueue({ arrivalRate: 9900 / 300, aht: 300 }, 10_000);
    expect(q.probabilityOfWaiting).toBeGreaterThan(0);
    expect(q.probabilityOfWaiting).toBeLessThan(1);
    expect(Number.isFinite(q.asa)).toBe(true);
  });
});

describe('Erlang C: edges', () => {
  it('at or over the load the queue is unstable: everyone waits, SL 0, no mean, agents fully occupied', () => {
    for (const agents of [0, 9, 10]) {
      const q = erlangCQueue(PYWORKFORCE, agents);
      expect(q).toMatchObject({ stable: false, probabilityOfWaiting: 1, asa: null, meanWaitOfDelayed: null, occupancy: 1 });
      expect(erlangCServiceLevel(PYWORKFORCE, agents, 20)).toBe(0);
    }
  });

  it('no traffic: nobody waits; one agent is still the fewest that can answer', () => {
    const t = { arrivalRate: 0, aht: 180 };
    expect(erlangCQueue(t, 1)).toMatchObject({ stable: true, probabilityOfWaiting: 0, asa: 0, occupancy: 0 });
    expect(erlangCAgentsRequired(t, { serviceLevel: { target: 0.9, threshold: 0 } })).toBe(1);
  });

  it('staffing for an ASA, and for several constraints at once', () => {
    const n = erlangCAgentsRequired(PYWORKFORCE, { asa: 5 });
    expect(erlangCQueue(PYWORKFORCE, n).asa).toBeLessThanOrEqual(5);
    expect(erlangCQueue(PYWORKFORCE, n - 1).asa).toBeGreaterThan(5);
    expect(erlangCAgentsRequired(PYWORKFORCE, { asa: 5, maxOccupancy: 0.5 })).toBe(20);
    expect(erlangCAgentsRequired(PYWORKFORCE, {})).toBe(11);
  });

  it.each<[string, () => unknown]>([
    ['negative agents', () => erlangC(-1, 1)],
    ['fractional agents', () => erlangC(2.5, 1)],
    ['negative load', () => erlangB(2, -1)],
    ['zero AHT', () => erlangCQueue({ arrivalRate: 1, aht: 0 }, 2)],
    ['infinite arrival rate', () => erlangCQueue({ arrivalRate: Number.POSITIVE_INFINITY, aht: 1 }, 2)],
    ['negative threshold', () => erlangCServiceLevel(PYWORKFORCE, 14, -1)],
    [
      'SL target of 1 (no finite staff reaches it)',
      () => erlangCAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 1, threshold: 20 } }),
    ],
    ['ASA target of 0', () => erlangCAgentsRequired(PYWORKFORCE, { asa: 0 })],
    ['max occupancy over 1', () => erlangCAgentsRequired(PYWORKFORCE, { maxOccupancy: 1.2 })],
    ['shrinkage of 1', () => withShrinkage(14, 1)],
  ])('refuses %s', (_, call) => {
    expect(call).toThrow(RangeError);
  });
});

const loads = fc.double({ min: 0, max: 600, noNaN: true });
const agentCounts = fc.integer({ min: 0, max: 700 });
const ahts = fc.double({ min: 1, max: 3600, noNaN: true });

describe('Erlang C: properties', () => {
  it('B and C are probabilities, and C ≥ B (waiting is at least as likely as finding all busy)', () => {
    fc.assert(
      fc.property(agentCounts, loads, (n, a) => {
        const b = erlangB(n, a);
        const c = erlangC(n, a);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThanOrEqual(1);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
        expect(c).toBeGreaterThanOrEqual(b - 1e-15);
      }),
    );
  });

  it('one more agent never makes P(wait), ASA or SL worse; more load never makes them better', () => {
    fc.assert(
      fc.property(agentCounts, loads, ahts, fc.double({ min: 0, max: 120, noNaN: true }), (n, a, aht, t) => {
        const tr = { arrivalRate: a / aht, aht };
        const here = erlangCQueue(tr, n);
        const more = erlangCQueue(tr, n + 1);
        expect(more.probabilityOfWaiting).toBeLessThanOrEqual(here.probabilityOfWaiting + 1e-12);
        if (here.asa !== null) expect(more.asa).toBeLessThanOrEqual(here.asa * (1 + 1e-12));
        expect(erlangCServiceLevel(tr, n + 1, t)).toBeGreaterThanOrEqual(erlangCServiceLevel(tr, n, t) - 1e-12);
        const heavier = { arrivalRate: (a * 1.1 + 0.01) / aht, aht };
        expect(erlangCQueue(heavier, n).probabilityOfWaiting).toBeGreaterThanOrEqual(here.probabilityOfWaiting - 1e-12);
        expect(erlangCServiceLevel(heavier, n, t)).toBeLessThanOrEqual(erlangCServiceLevel(tr, n, t) + 1e-12);
      }),
    );
  });

  it('SL is in [0, 1] and never falls as the threshold grows', () => {
    fc.assert(
      fc.property(agentCounts, loads, ahts, fc.double({ min: 0, max: 600, noNaN: true }), (n, a, aht, t) => {
        const tr = { arrivalRate: a / aht, aht };
        const sl = erlangCServiceLevel(tr, n, t);
        expect(sl).toBeGreaterThanOrEqual(0);
        expect(sl).toBeLessThanOrEqual(1);
        expect(erlangCServiceLevel(tr, n, t + 5)).toBeGreaterThanOrEqual(sl);
      }),
    );
  });

  it('agents required is the minimum: it meets every constraint, one fewer misses one', () => {
    const target = fc.record(
      {
        serviceLevel: fc.record({
          target: fc.double({ min: 0, max: 0.99, noNaN: true }),
          threshold: fc.integer({ min: 0, max: 120 }),
        }),
        asa: fc.double({ min: 0.5, max: 300, noNaN: true }),
        maxOccupancy: fc.double({ min: 0.3, max: 1, noNaN: true }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(loads, ahts, target, (a, aht, goal: StaffingTarget) => {
        const tr = { arrivalRate: a / aht, aht };
        const n = erlangCAgentsRequired(tr, goal);
        const meets = (agents: number) => {
          const q = erlangCQueue(tr, agents);
          if (!q.stable || q.asa === null) return false;
          if (goal.asa !== undefined && q.asa > goal.asa) return false;
          if (goal.maxOccupancy !== undefined && q.occupancy > goal.maxOccupancy) return false;
          const sl = goal.serviceLevel;
          return !sl || erlangCServiceLevel(tr, agents, sl.threshold) >= sl.target;
        };
        expect(meets(n)).toBe(true);
        if (n > 1) expect(meets(n - 1)).toBe(false);
      }),
    );
  });
});
