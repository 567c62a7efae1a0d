import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../events/event-types';
import { erlangCQueue } from '../staffing/erlang';
import { estimateWaits, type LiveQueueState } from './ewt';
import { simulateQueue } from './test-queue';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const SEC = 1000;
const agents = (over: Partial<Record<AgentState, number>>): Record<AgentState, number> => ({
  offline: 0,
  available: 0,
  busy: 0,
  wrapup: 0,
  away: 0,
  ...over,
});
/** `n` callers who joined 10 s apart, the last one at T0. */
const callers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `v${i + 1}`, enqueuedAt: T0 - (n - 1 - i) * 10 * SEC }));
const state = (over: Partial<LiveQueueState>): LiveQueueState => ({
  now: T0,
  waiting: [],
  agents: agents({}),
  ahtMs: 240 * SEC,
  arrivalsPerSecond: null,
  ...over,
});

describe('EWT: hand-computed', () => {
  it('all four staffed agents busy or in wrap-up (away and offline count for nothing): position k waits k·AHT/4', () => {
    const e = estimateWaits(
      state({ now: T0 + 5 * SEC, waiting: callers(3), agents: agents({ busy: 3, wrapup: 1, away: 2, offline: 5 }) }),
    );
    expect(e.staffedAgents).toBe(4);
    expect(e.availableAgents).toBe(0);
    expect(e.callers).toEqual([
      { id: 'v1', waitedMs: 25 * SEC, position: 1, ewtMs: 60 * SEC, method: 'positional' },
      { id: 'v2', waitedMs: 15 * SEC, position: 2, ewtMs: 120 * SEC, method: 'positional' },
      { id: 'v3', waitedMs: 5 * SEC, position: 3, ewtMs: 180 * SEC, method: 'positional' },
    ]);
    expect(e.newCaller).toEqual({ position: 4, ewtMs: 240 * SEC, method: 'positional' });
  });

  it('when only the first callers are listed, a new caller joins behind every one waiting', () => {
    const listed = estimateWaits(
      state({ waiting: callers(3), waitingCount: 500, agents: agents({ busy: 4 }), ahtMs: 240 * SEC }),
    );
    expect(listed.callers.map((c) => c.position)).toEqual([1, 2, 3]);
    expect(listed.newCaller).toEqual({ position: 501, ewtMs: (501 * 240 * SEC) / 4, method: 'positional' });
  });

  it('an empty queue with an idle agent: a new caller is answered at once', () => {
    const e = estimateWaits(state({ agents: agents({ available: 1, busy: 9 }) }));
    expect(e.callers).toEqual([]);
    expect(e.newCaller).toEqual({ position: 1, ewtMs: 0, method: 'agent_available' });
  });

  it('an empty queue, every agent busy: a new caller waits for the first of N calls to end, AHT/N', () => {
    expect(estimateWaits(state({ agents: agents({ busy: 3 }), ahtMs: 180 * SEC })).newCaller).toEqual({
      position: 1,
      ewtMs: 60 * SEC,
      method: 'positional',
    });
  });

  it('callers waiting while agents are idle (being offered): the first `available` get 0, the rest count from there', () => {
    const e = estimateWaits(state({ waiting: callers(4), agents: agents({ available: 2, busy: 2 }), ahtMs: 200 * SEC }));
    expect(e.callers.map((c) => [c.ewtMs, c.method])).toEqual([
      [0, 'agent_available'],
      [0, 'agent_available'],
      [50 * SEC, 'positional'],
      [100 * SEC, 'positional'],
    ]);
    expect(e.newCaller.ewtMs).toBe(150 * SEC);
  });

  it('no agent staffed (all away or offline): no estimate, and why', () => {
    const e = estimateWaits(state({ waiting: callers(2), agents: agents({ away: 3, offline: 4 }), arrivalsPerSecond: 0.1 }));
    expect(e.callers.map((c) => [c.ewtMs, c.method])).toEqual([
      [null, 'no_agents_staffed'],
      [null, 'no_agents_staffed'],
    ]);
    expect(e.newCaller).toEqual({ position: 3, ewtMs: null, method: 'no_agents_staffed' });
    expect(e.erlangC).toBeNull();
  });

  it.each([null, 0, -5, Number.NaN])(
    'no handle time in the window (AHT %s): only positions an idle agent takes are known',
    (ahtMs) => {
      const e = estimateWaits(state({ waiting: callers(2), agents: agents({ available: 1, busy: 1 }), ahtMs }));
      expect(e.callers.map((c) => [c.ewtMs, c.method])).toEqual([
        [0, 'agent_available'],
        [null, 'no_handle_time'],
      ]);
      expect(e.newCaller).toEqual({ position: 3, ewtMs: null, method: 'no_handle_time' });
    },
  );

  it('EWTs are whole ms; a join stamped after now has waited 0', () => {
    const e = estimateWaits(
      state({ waiting: [{ id: 'v1', enqueuedAt: T0 + 2 * SEC }], agents: agents({ busy: 3 }), ahtMs: 100 }),
    );
    expect(e.callers[0]).toMatchObject({ waitedMs: 0, ewtMs: 33 });
    expect(e.newCaller.ewtMs).toBe(67);
  });

  it('Erlang C context: 10 calls/h at AHT 360 s on 2 agents → ASA 120 s, P(wait) 1/3 (the M/M/2 closed form)', () => {
    const e = estimateWaits(state({ agents: agents({ available: 1, busy: 1 }), ahtMs: 360 * SEC, arrivalsPerSecond: 10 / 3600 }));
    expect(e.erlangC).toEqual({
      load: expect.closeTo(1, 12),
      probabilityOfWaiting: expect.closeTo(1 / 3, 12),
      asaMs: 120_000,
      occupancy: 0.5,
    });
  });

  it.each<[string, Partial<LiveQueueState>]>([
    ['no arrival rate', { arrivalsPerSecond: null }],
    ['no arrivals in the window', { arrivalsPerSecond: 0 }],
    ['no handle time', { ahtMs: null, arrivalsPerSecond: 0.01 }],
    ['a load at N (Erlang C does not apply)', { arrivalsPerSecond: 2 / 240, agents: agents({ busy: 2 }) }],
    ['a load over N', { arrivalsPerSecond: 5 / 240, agents: agents({ busy: 2, away: 5 }) }],
  ])('no Erlang C context with %s', (_, over) => {
    expect(estimateWaits(state({ agents: agents({ busy: 2 }), ...over })).erlangC).toBeNull();
  });

  it.each<[string, Partial<LiveQueueState>]>([
    ['a negative count', { agents: agents({ busy: -1 }) }],
    ['a fractional count', { agents: agents({ available: 1.5 }) }],
    ['no instant', { now: Number.NaN }],
  ])('refuses %s', (_, over) => {
    expect(() => estimateWaits(state(over))).toThrow(RangeError);
  });
});

const liveState = fc
  .record({
    waiting: fc.integer({ min: 0, max: 60 }),
    available: fc.integer({ min: 0, max: 5 }),
    busy: fc.integer({ min: 0, max: 40 }),
    wrapup: fc.integer({ min: 0, max: 10 }),
    away: fc.integer({ min: 0, max: 10 }),
    offline: fc.integer({ min: 0, max: 10 }),
    ahtMs: fc.option(fc.integer({ min: 1, max: 3_600_000 }), { freq: 6 }),
  })
  .map(
    (s): LiveQueueState =>
      state({
        waiting: callers(s.waiting),
        agents: agents({ available: s.available, busy: s.busy, wrapup: s.wrapup, away: s.away, offline: s.offline }),
        ahtMs: s.ahtMs,
      }),
  );

describe('EWT: properties', () => {
  it('a caller further back never gets a shorter EWT, and a new caller none shorter than anyone waiting', () => {
    fc.assert(
      fc.property(liveState, (s) => {
        const e = estimateWaits(s);
        const ewts = [...e.callers, e.newCaller].map((c) => c.ewtMs);
        ewts.forEach((ewt, i) => {
          expect(e.callers[i]?.position ?? e.newCaller.position).toBe(i + 1);
          const before = ewts[i - 1];
          if (i > 0 && ewt !== null && before !== null && before !== undefined) expect(ewt).toBeGreaterThanOrEqual(before);
          // Once unknown, unknown for everyone behind.
          if (i > 0 && before === null) expect(ewt).toBeNull();
        });
      }),
    );
  });

  it('one more agent available, or one fewer caller ahead, never lengthens an EWT; a longer AHT never shortens one', () => {
    fc.assert(
      fc.property(liveState, (s) => {
        const base = estimateWaits(s).newCaller.ewtMs;
        if (base === null) return;
        const moreAgents = estimateWaits({ ...s, agents: { ...s.agents, available: s.agents.available + 1 } }).newCaller.ewtMs;
        expect(moreAgents).not.toBeNull();
        expect(moreAgents).toBeLessThanOrEqual(base);
        const busier = estimateWaits({ ...s, agents: { ...s.agents, busy: s.agents.busy + 1 } }).newCaller.ewtMs;
        expect(busier).toBeLessThanOrEqual(base);
        if (s.waiting.length > 0) {
          expect(estimateWaits({ ...s, waiting: s.waiting.slice(1) }).newCaller.ewtMs).toBeLessThanOrEqual(base);
        }
        if (s.ahtMs !== null) {
          expect(estimateWaits({ ...s, ahtMs: s.ahtMs * 2 }).newCaller.ewtMs).toBeGreaterThanOrEqual(base);
        }
      }),
    );
  });
});

/**
 * The module's estimates against an M/M/N queue simulated caller by caller (test-queue.ts), seeded, at loads of
 * 0.7 to 0.95. At each arrival the estimator is shown what a live queue knows, and its EWT is compared with
 * the wait the caller then got; the first 2,000 callers (the queue filling up, the window empty) are left out.
 * Tolerances and the figures measured are in docs/ewt.md.
 */
const POINTS = [
  { agents: 2, ahtSeconds: 120, occupancy: 0.8 },
  { agents: 5, ahtSeconds: 240, occupancy: 0.7 },
  { agents: 10, ahtSeconds: 180, occupancy: 0.85 },
  { agents: 25, ahtSeconds: 300, occupancy: 0.95 },
  { agents: 50, ahtSeconds: 180, occupancy: 0.9 },
];
const WARM_UP = 2000;

class Errors {
  n = 0;
  predicted = 0;
  actual = 0;
  absolute = 0;
  add(predicted: number, actual: number) {
    this.n += 1;
    this.predicted += predicted;
    this.actual += actual;
    this.absolute += Math.abs(predicted - actual);
  }
  /** (mean predicted − mean actual) / mean actual. */
  get bias() {
    return (this.predicted - this.actual) / this.actual;
  }
  /** Mean absolute error over the mean actual wait. */
  get mae() {
    return this.absolute / this.actual;
  }
}

describe('EWT against a simulated M/M/N queue (50,000 callers per point)', () => {
  it.each(POINTS)('$agents agents, AHT $ahtSeconds s, occupancy $occupancy', ({ agents: n, ahtSeconds, occupancy }) => {
    const ahtMs = ahtSeconds * SEC;
    const arrivalsPerSecond = (occupancy * n) / ahtSeconds;
    const asa = erlangCQueue({ arrivalRate: arrivalsPerSecond / SEC, aht: ahtMs }, n).asa as number;
    // The estimator given the true AHT and rate, then given those of the 30-minute window the simulation keeps.
    const known = { newCaller: new Errors(), waiting: new Errors(), erlangC: new Errors() };
    const rolling = new Errors();
    simulateQueue({ seed: 20260105 + n, callers: 50_000, arrivalsPerSecond, ahtMs, agents: n }, (a) => {
      if (a.index < WARM_UP) return;
      const live = a.state();
      const truth = estimateWaits({ ...live, ahtMs, arrivalsPerSecond });
      known.newCaller.add(truth.newCaller.ewtMs as number, a.waitMs);
      known.erlangC.add(asa, a.waitMs);
      const answerAt = a.answerAtOfWaiting();
      truth.callers.forEach((c, i) => {
        known.waiting.add(c.ewtMs as number, (answerAt[i] as number) - live.now);
      });
      const window = estimateWaits(live);
      if (window.newCaller.ewtMs !== null) rolling.add(window.newCaller.ewtMs, a.waitMs);
    });
    // Exact in expectation for M/M/N: the means agree but for noise.
    expect(Math.abs(known.newCaller.bias)).toBeLessThan(0.05);
    expect(Math.abs(known.waiting.bias)).toBeLessThan(0.05);
    expect(known.newCaller.mae).toBeLessThan(0.5);
    // Erlang C's ASA, the same for every caller, errs per caller several times more.
    expect(known.erlangC.mae).toBeGreaterThan(2 * known.newCaller.mae);
    // A rolling AHT is unbiased, but high when the queue is long (long calls build queues): estimates run long.
    expect(rolling.n).toBeGreaterThan(47_000);
    expect(rolling.bias).toBeGreaterThan(-0.05);
    expect(rolling.bias).toBeLessThan(0.15);
    expect(rolling.mae).toBeLessThan(0.5);
  });
});

describe('Erlang C against the simulated queue (600,000 callers per point)', () => {
  it.each([
    { agents: 2, ahtSeconds: 120, occupancy: 0.8 },
    { agents: 5, ahtSeconds: 240, occupancy: 0.7 },
  ])(
    '$agents agents, AHT $ahtSeconds s, occupancy $occupancy: mean wait within 5 %, P(wait) within 0.005',
    ({ agents: n, ahtSeconds, occupancy }) => {
      const arrivalsPerSecond = (occupancy * n) / ahtSeconds;
      const q = erlangCQueue({ arrivalRate: arrivalsPerSecond, aht: ahtSeconds }, n);
      let callersSeen = 0;
      let waited = 0;
      let totalWait = 0;
      simulateQueue({ seed: 7 + n, callers: 600_000, arrivalsPerSecond, ahtMs: ahtSeconds * SEC, agents: n }, (a) => {
        if (a.index < WARM_UP) return;
        callersSeen += 1;
        totalWait += a.waitMs;
        if (a.waitMs > 0) waited += 1;
      });
      const meanWaitSeconds = totalWait / callersSeen / SEC;
      expect(Math.abs(meanWaitSeconds - (q.asa as number)) / (q.asa as number)).toBeLessThan(0.05);
      expect(Math.abs(waited / callersSeen - q.probabilityOfWaiting)).toBeLessThan(0.005);
    },
  );
});
