import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erlangCQueue, erlangCServiceLevel } from './erlang';
import { erlangAAgentsRequired, erlangAQueue, erlangAServiceLevel, type ImpatientTraffic } from './erlang-a';

/** pyworkforce test_abandonment.py's traffic, in seconds: 100 calls / 30 min, AHT 3 min, patience 5 min. */
const PYWORKFORCE: ImpatientTraffic = { arrivalRate: 100 / 1800, aht: 180, patience: 300 };

describe('Erlang A: reference cases', () => {
  it('pyworkforce test_abandonment.py test_erlanga_regression_metrics: N = 14 → P(wait) 0.14526, P(abandon) 0.013984, occupancy 0.704297, mean wait 4.1951 s, SL(20 s) 0.916792', () => {
    const q = erlangAQueue(PYWORKFORCE, 14);
    expect(q.probabilityOfWaiting).toBeCloseTo(0.14526, 5);
    expect(q.probabilityOfAbandoning).toBeCloseTo(0.013984, 6);
    expect(q.occupancy).toBeCloseTo(0.704297, 6);
    // pyworkforce's "average_speed_of_answer" is Lq/λ over all callers, abandoners included: 0.069919 min.
    expect(q.meanWait).toBeCloseTo(4.1951, 4);
    expect(q.meanWait / 60).toBeCloseTo(0.069919, 6);
    expect(erlangAServiceLevel(PYWORKFORCE, 14, 20)).toBeCloseTo(0.916792, 6);
  });

  it('pyworkforce test_erlanga_matches_erlangc_in_patient_limit: patience 10⁶ min → Erlang C at N = 15, 20, 25 (P(wait), occupancy within 1e-4, SL within 1e-3)', () => {
    const patient = { ...PYWORKFORCE, patience: 1e6 * 60 };
    for (const n of [15, 20, 25]) {
      const a = erlangAQueue(patient, n);
      const c = erlangCQueue(PYWORKFORCE, n);
      expect(Math.abs(a.probabilityOfWaiting - c.probabilityOfWaiting)).toBeLessThan(1e-4);
      expect(Math.abs(a.occupancy - c.occupancy)).toBeLessThan(1e-4);
      expect(Math.abs(erlangAServiceLevel(patient, n, 20) - erlangCServiceLevel(PYWORKFORCE, n, 20))).toBeLessThan(1e-3);
      expect(a.asa).toBeCloseTo(c.asa as number, 3);
    }
  });

  it('staffing example (docs/ewt.md), Westbay A = 48, 80 % in 15 s, patience 120 s: Erlang A needs 50 (SL 0.8141, P(abandon) 4.8 %), where Erlang C needs 55', () => {
    // AHT 240 s: the published example gives A = 48 only; see the Erlang C case in erlang.test.ts.
    const t = { arrivalRate: 360 / 1800, aht: 240, patience: 120 };
    expect(erlangAAgentsRequired(t, { serviceLevel: { target: 0.8, threshold: 15 } })).toBe(50);
    expect(erlangAServiceLevel(t, 50, 15)).toBeCloseTo(0.8141, 4);
    expect(erlangAQueue(t, 50).probabilityOfAbandoning).toBeCloseTo(0.048, 3);
    expect(erlangAServiceLevel(t, 49, 15)).toBeLessThan(0.8);
  });

  it('staffing example (docs/ewt.md), A = 10, 80 % in 20 s, patience 300 s: Erlang A needs 13 (SL 0.8582, P(abandon) 2.5 %), where Erlang C needs 14', () => {
    expect(erlangAAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 0.8, threshold: 20 } })).toBe(13);
    expect(erlangAServiceLevel(PYWORKFORCE, 13, 20)).toBeCloseTo(0.8582, 4);
    expect(erlangAQueue(PYWORKFORCE, 13).probabilityOfAbandoning).toBeCloseTo(0.025, 3);
  });
});

describe('Erlang A: loads Erlang C cannot take', () => {
  it('500 Erlangs on 480 agents (A > N) settles: most wait, a few abandon, agents nearly always busy', () => {
    const t = { arrivalRate: 500 / 180, aht: 180, patience: 120 };
    const q = erlangAQueue(t, 480);
    expect(q.probabilityOfWaiting).toBeGreaterThan(0.5);
    expect(q.probabilityOfAbandoning).toBeGreaterThan(0.04);
    expect(q.probabilityOfAbandoning).toBeLessThan(0.06);
    // Served load = offered less what abandons, and it cannot exceed N.
    expect(q.occupancy).toBeCloseTo((500 * (1 - q.probabilityOfAbandoning)) / 480, 12);
    expect(q.occupancy).toBeLessThanOrEqual(1);
    const sl = erlangAServiceLevel(t, 480, 20);
    expect(sl).toBeGreaterThan(0);
    expect(sl).toBeLessThan(1 - q.probabilityOfAbandoning);
  });

  it('one agent swamped by 1,000 Erlangs with an hour of patience: a chain of ~360,000 callers, nearly all abandon', () => {
    // 100 calls/s for one agent at AHT 10 s: it serves 0.1 call/s, the rest hang up (fluid limit 1 − 0.1/100).
    const t = { arrivalRate: 100, aht: 10, patience: 3600 };
    const q = erlangAQueue(t, 1);
    expect(q.probabilityOfAbandoning).toBeCloseTo(0.999, 4);
    expect(q.occupancy).toBeCloseTo(1, 4);
    expect(erlangAServiceLevel(t, 1, 20)).toBeLessThan(1e-3);
  });

  it('refuses, rather than computing for ever, a queue that would hold millions of callers', () => {
    expect(() => erlangAQueue({ arrivalRate: 10_000, aht: 1, patience: 3600 }, 1)).toThrow(RangeError);
  });

  it('no traffic: nobody waits or abandons', () => {
    expect(erlangAQueue({ arrivalRate: 0, aht: 180, patience: 60 }, 1)).toMatchObject({
      probabilityOfWaiting: 0,
      probabilityOfAbandoning: 0,
      meanWait: 0,
      asa: 0,
      occupancy: 0,
    });
  });

  it.each<[string, () => unknown]>([
    ['no agents', () => erlangAQueue(PYWORKFORCE, 0)],
    ['zero patience', () => erlangAQueue({ ...PYWORKFORCE, patience: 0 }, 14)],
    ['infinite patience (that is Erlang C)', () => erlangAQueue({ ...PYWORKFORCE, patience: Number.POSITIVE_INFINITY }, 14)],
    ['a negative threshold', () => erlangAServiceLevel(PYWORKFORCE, 14, -1)],
    ['an SL target of 1', () => erlangAAgentsRequired(PYWORKFORCE, { serviceLevel: { target: 1, threshold: 20 } })],
    ['a max abandonment of 0', () => erlangAAgentsRequired(PYWORKFORCE, { maxAbandonment: 0 })],
  ])('refuses %s', (_, call) => {
    expect(call).toThrow(RangeError);
  });
});

/**
 * The service level the slow way, as an independent check of the closed form: the tagged caller's chain (j ahead →
 * j − 1 at N·μ + j·θ, answered from 0, abandoned at θ) uniformized at a constant rate and stepped through t.
 */
function serviceLevelByUniformization(t: ImpatientTraffic, agents: number, threshold: number): number {
  const mu = 1 / t.aht;
  const theta = 1 / t.patience;
  const lambda = t.arrivalRate;
  const death = (n: number) => Math.min(n, agents) * mu + Math.max(n - agents, 0) * theta;
  const q: number[] = [1];
  for (let n = 1; n < agents + 20_000; n++) {
    q.push(((q[n - 1] as number) * lambda) / death(n));
    if (n > agents && (q[n] as number) < 1e-18 * (q[agents] as number)) break;
  }
  const total = q.reduce((s, x) => s + x, 0);
  const dist = Float64Array.from(q.slice(agents), (x) => x / total);
  const top = dist.length - 1;
  const rate = agents * mu + (top + 1) * theta;
  const slices = Math.max(1, Math.ceil((rate * threshold) / 40));
  const mean = (rate * threshold) / slices;
  const steps = Math.ceil(mean + 12 * Math.sqrt(mean) + 30);
  const advance = (j: number) => (agents * mu + j * theta) / rate;
  const stay = (j: number) => 1 - advance(j) - theta / rate;
  let answered = 0;
  const mixed = new Float64Array(dist.length);
  for (let s = 0; s < slices; s++) {
    let weight = Math.exp(-mean);
    let stepAnswered = 0;
    let sliceAnswered = 0;
    mixed.fill(0);
    for (let j = 0; j <= top; j++) mixed[j] = weight * (dist[j] as number);
    for (let n = 1; n <= steps; n++) {
      stepAnswered += (dist[0] as number) * advance(0);
      for (let j = 0; j < top; j++) dist[j] = (dist[j] as number) * stay(j) + (dist[j + 1] as number) * advance(j + 1);
      dist[top] = (dist[top] as number) * stay(top);
      weight *= mean / n;
      sliceAnswered += weight * stepAnswered;
      for (let j = 0; j <= top; j++) mixed[j] = (mixed[j] as number) + weight * (dist[j] as number);
    }
    answered += sliceAnswered;
    dist.set(mixed);
  }
  const waiting = q.slice(agents).reduce((s, x) => s + x, 0) / total;
  return 1 - waiting + answered;
}

describe('Erlang A: the service level', () => {
  it('the closed form agrees with uniformizing the tagged caller’s chain to 1e-9, under and over the load', () => {
    const cases: [ImpatientTraffic, number, number][] = [
      [PYWORKFORCE, 14, 20],
      [PYWORKFORCE, 8, 60],
      [{ arrivalRate: 360 / 1800, aht: 240, patience: 120 }, 50, 15],
      [{ arrivalRate: 360 / 1800, aht: 240, patience: 20 }, 40, 300],
      [{ arrivalRate: 2, aht: 30, patience: 3000 }, 62, 10],
      [{ arrivalRate: 500 / 180, aht: 180, patience: 120 }, 480, 20],
    ];
    for (const [t, n, threshold] of cases) {
      expect(Math.abs(erlangAServiceLevel(t, n, threshold) - serviceLevelByUniformization(t, n, threshold))).toBeLessThan(1e-9);
    }
  });

  it('thousands of agents: 9,000 Erlangs, patience 120 s, 80 % in 20 s — the fewest agents, fewer than the load, found', () => {
    const t = { arrivalRate: 9000 / 180, aht: 180, patience: 120 };
    const n = erlangAAgentsRequired(t, { serviceLevel: { target: 0.8, threshold: 20 } });
    expect(n).toBeLessThan(9000);
    expect(erlangAServiceLevel(t, n, 20)).toBeGreaterThanOrEqual(0.8);
    expect(erlangAServiceLevel(t, n - 1, 20)).toBeLessThan(0.8);
    // At 10,000 agents Erlang A meets Erlang C where both apply (a 600 s patience is long next to waits of seconds).
    const patient = { arrivalRate: 9900 / 180, aht: 180, patience: 600 };
    const a = erlangAServiceLevel(patient, 10_000, 20);
    expect(a).toBeGreaterThan(0);
    expect(Math.abs(a - erlangCServiceLevel(patient, 10_000, 20))).toBeLessThan(5e-3);
  });
});

const impatient = fc
  .record({
    load: fc.double({ min: 0.1, max: 40, noNaN: true }),
    aht: fc.double({ min: 30, max: 600, noNaN: true }),
    patienceOverAht: fc.double({ min: 0.1, max: 20, noNaN: true }),
  })
  .map(({ load, aht, patienceOverAht }): ImpatientTraffic => ({ arrivalRate: load / aht, aht, patience: aht * patienceOverAht }));
const agents = fc.integer({ min: 1, max: 50 });
const thresholds = fc.integer({ min: 0, max: 120 });

describe('Erlang A: properties', () => {
  it('P(wait), P(abandon), occupancy and SL are probabilities; answered late or never adds up: SL(∞) = 1 − P(abandon)', () => {
    fc.assert(
      fc.property(impatient, agents, thresholds, (t, n, threshold) => {
        const q = erlangAQueue(t, n);
        for (const p of [q.probabilityOfWaiting, q.probabilityOfAbandoning, q.occupancy, erlangAServiceLevel(t, n, threshold)]) {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
        expect(q.probabilityOfAbandoning).toBeLessThanOrEqual(q.probabilityOfWaiting + 1e-12);
        // Abandonment two ways: θ·Lq/λ from the chain, and the callers the tagged-caller chain never answers
        // (by 40 mean patiences all but e^−40 of them are answered or gone).
        const eventually = erlangAServiceLevel(t, n, 40 * t.patience);
        expect(eventually).toBeCloseTo(1 - q.probabilityOfAbandoning, 6);
      }),
      { numRuns: 40 },
    );
  });

  it('tends to Erlang C as patience grows: P(wait), occupancy, ASA and SL converge on any stable queue', () => {
    const stable = fc
      .record({
        agents: fc.integer({ min: 1, max: 60 }),
        rho: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
        aht: fc.double({ min: 30, max: 600, noNaN: true }),
        threshold: thresholds,
      })
      .map(({ agents: n, rho, aht, threshold }) => ({ n, aht, threshold, rate: (rho * n) / aht }));
    fc.assert(
      fc.property(stable, ({ n, aht, threshold, rate }) => {
        const c = erlangCQueue({ arrivalRate: rate, aht }, n);
        const cSl = erlangCServiceLevel({ arrivalRate: rate, aht }, n, threshold);
        let previous = { wait: Number.POSITIVE_INFINITY, asa: Number.POSITIVE_INFINITY };
        for (const patienceOverAht of [10, 100, 1e4, 1e6]) {
          const t = { arrivalRate: rate, aht, patience: aht * patienceOverAht };
          const a = erlangAQueue(t, n);
          const gap = {
            wait: Math.abs(a.probabilityOfWaiting - c.probabilityOfWaiting),
            // Relative: the ASA of a queue near its load is many AHTs, and closes in as 1/patience.
            asa: Math.abs((a.asa as number) - (c.asa as number)) / ((c.asa as number) + 1e-9),
          };
          expect(gap.wait).toBeLessThanOrEqual(previous.wait + 1e-12);
          expect(gap.asa).toBeLessThanOrEqual(previous.asa + 1e-12);
          previous = gap;
          if (patienceOverAht === 1e6) {
            expect(gap.wait).toBeLessThan(1e-4);
            expect(gap.asa).toBeLessThan(1e-3);
            expect(Math.abs(a.occupancy - c.occupancy)).toBeLessThan(1e-4);
            expect(Math.abs(erlangAServiceLevel(t, n, threshold) - cSl)).toBeLessThan(1e-4);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('one more agent never makes P(wait), P(abandon), mean wait or SL worse; a stable queue waits no more than Erlang C says', () => {
    fc.assert(
      fc.property(impatient, agents, thresholds, (t, n, threshold) => {
        const here = erlangAQueue(t, n);
        const more = erlangAQueue(t, n + 1);
        expect(more.probabilityOfWaiting).toBeLessThanOrEqual(here.probabilityOfWaiting + 1e-12);
        expect(more.probabilityOfAbandoning).toBeLessThanOrEqual(here.probabilityOfAbandoning + 1e-12);
        expect(more.meanWait).toBeLessThanOrEqual(here.meanWait * (1 + 1e-9) + 1e-12);
        expect(erlangAServiceLevel(t, n + 1, threshold)).toBeGreaterThanOrEqual(erlangAServiceLevel(t, n, threshold) - 1e-9);
        const c = erlangCQueue(t, n);
        if (c.asa !== null) {
          expect(here.probabilityOfWaiting).toBeLessThanOrEqual(c.probabilityOfWaiting + 1e-12);
          expect(here.meanWait).toBeLessThanOrEqual(c.asa * (1 + 1e-9) + 1e-12);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('agents required is the minimum: it meets every constraint, one fewer misses one', () => {
    const target = fc.record(
      {
        serviceLevel: fc.record({ target: fc.double({ min: 0, max: 0.95, noNaN: true }), threshold: thresholds }),
        maxAbandonment: fc.double({ min: 0.01, max: 1, noNaN: true }),
        maxOccupancy: fc.double({ min: 0.3, max: 1, noNaN: true }),
        asa: fc.double({ min: 0.5, max: 300, noNaN: true }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(impatient, target, (t, goal) => {
        const n = erlangAAgentsRequired(t, goal);
        const meets = (k: number) => {
          const q = erlangAQueue(t, k);
          if (goal.maxAbandonment !== undefined && q.probabilityOfAbandoning > goal.maxAbandonment) return false;
          if (goal.maxOccupancy !== undefined && q.occupancy > goal.maxOccupancy) return false;
          if (goal.asa !== undefined && (q.asa === null || q.asa > goal.asa)) return false;
          const sl = goal.serviceLevel;
          return !sl || erlangAServiceLevel(t, k, sl.threshold) >= sl.target;
        };
        expect(meets(n)).toBe(true);
        if (n > 1) expect(meets(n - 1)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});
