import { describe, expect, it } from 'vitest';
import { expectedWaitBand, onQueueAgents, type PlanDemand, type PlanPolicy, planDay } from './plan';

const Q = 15 * 60_000;
const H = 4 * Q;
const T0 = Date.UTC(2026, 2, 2); // a midnight
const interval = (k: number, offered: number, ahtSeconds: number | null = 180): PlanDemand => ({
  start: T0 + k * Q,
  end: T0 + (k + 1) * Q,
  offered,
  lower: offered * 0.8,
  upper: offered * 1.2,
  ahtSeconds,
  holiday: false,
});
const POLICY: PlanPolicy = { thresholdSeconds: 20, targetServiceLevel: 0.8, shrinkage: 0, model: 'erlang-c' };

describe('agents the schedules put on the queue', () => {
  const shift = { start: T0 + 9 * H, end: T0 + 17 * H, activities: [{ type: 'lunch', start: T0 + 12 * H, end: T0 + 13 * H }] };
  it.each([
    ['a quarter hour of the shift', 9 * H, 1],
    ['at lunch', 12 * H, 0],
    ['before the shift', 8 * H, 0],
    ['after lunch', 13 * H, 1],
  ])('%s', (_, from, expected) => expect(onQueueAgents([shift], T0 + from, T0 + from + Q)).toBe(expected));
  it('a shift starting 5 minutes into the interval is two thirds of an agent; two agents add up', () => {
    const late = { start: T0 + 9 * H + 5 * 60_000, end: T0 + 17 * H, activities: [] };
    expect(onQueueAgents([late], T0 + 9 * H, T0 + 9 * H + Q)).toBeCloseTo(2 / 3, 10);
    expect(onQueueAgents([shift, late], T0 + 9 * H, T0 + 9 * H + Q)).toBeCloseTo(5 / 3, 10);
  });
  it('an on-queue activity is on the queue', () => {
    const s = { start: T0, end: T0 + H, activities: [{ type: 'on_queue', start: T0, end: T0 + Q }] };
    expect(onQueueAgents([s], T0, T0 + Q)).toBe(1);
  });
});

describe('a day’s plan', () => {
  // Reference case: 100 calls per 30 minutes (50 per quarter hour), AHT 180 s, 80 % in 20 s → Erlang C 14 agents
  // (SL 0.888), 20 to schedule at 30 % shrinkage; Erlang A with 300 s patience: 13.
  it('Erlang C and Erlang A against the reference cases, shrinkage on top', () => {
    const c = planDay([interval(0, 50)], [], { ...POLICY, shrinkage: 0.3 }).intervals[0];
    expect(c).toMatchObject({ requiredAgents: 14, requiredScheduled: 20, occupancy: 0.7143 });
    expect(c?.serviceLevel).toBeCloseTo(0.888, 3);
    const a = planDay([interval(0, 50)], [], { ...POLICY, model: 'erlang-a', patienceSeconds: 300 }).intervals[0];
    expect(a?.requiredAgents).toBe(13);
  });

  it('the gap: scheduled on-queue agents against the requirement; the service level the schedule would give', () => {
    const fifteen = Array.from({ length: 15 }, () => ({ start: T0, end: T0 + 8 * H, activities: [] }));
    const [row] = planDay([interval(0, 50)], fifteen, POLICY).intervals;
    expect(row).toMatchObject({ scheduledAgents: 15, requiredAgents: 14, gap: 1 });
    expect(row?.scheduledServiceLevel).toBeGreaterThan(row?.serviceLevel as number);
    const [short] = planDay([interval(0, 50)], fifteen.slice(0, 12), POLICY).intervals;
    expect(short).toMatchObject({ gap: -2 });
    expect(short?.scheduledServiceLevel).toBeLessThan(0.8);
  });

  it('no call expected needs nobody; no handle time to plan from says so', () => {
    const { intervals, totals } = planDay([interval(0, 0), interval(1, 5, null), interval(2, 50)], [], POLICY);
    expect(intervals.map((r) => r.requiredAgents)).toEqual([0, null, 14]);
    expect(intervals.map((r) => r.gap)).toEqual([0, null, -14]);
    expect(totals).toMatchObject({ offered: 55, requiredHours: 3.5, scheduledHours: 0, understaffedIntervals: 1 });
  });

  it('more calls never need fewer agents; a higher goal never fewer either', () => {
    let last = 0;
    for (const offered of [1, 5, 10, 25, 50, 100, 200, 400]) {
      const n = planDay([interval(0, offered)], [], POLICY).intervals[0]?.requiredAgents as number;
      expect(n).toBeGreaterThanOrEqual(last);
      last = n;
    }
    const goal = (t: number) =>
      planDay([interval(0, 50)], [], { ...POLICY, targetServiceLevel: t }).intervals[0]?.requiredAgents as number;
    expect(goal(0.9)).toBeGreaterThanOrEqual(goal(0.8));
    expect(goal(1)).toBeGreaterThanOrEqual(goal(0.95));
  });
});

describe('the wait a forecast and a schedule imply', () => {
  it('Erlang C’s mean wait at the lower, point and upper volumes', () => {
    // 50 calls in 15 minutes at 180 s is 10 Erlangs; 14 agents: the reference case's ASA.
    const band = expectedWaitBand({ lower: 40, point: 50, upper: 60 }, 180, 14, 900);
    const [lower, point, upper] = band as [number, number, number];
    // ASA = C·AHT/(N − A) = 0.174 × 180 s / 4 ≈ 7.83 s (P(wait) 0.174 to three digits).
    expect(Math.abs(point - 7830)).toBeLessThan(25);
    expect(lower).toBeLessThan(point);
    expect(upper).toBeGreaterThan(point);
  });
  it('unbounded above when the upper volume overwhelms the agents; none when the point does, or without AHT', () => {
    expect(expectedWaitBand({ lower: 40, point: 50, upper: 80 }, 180, 14, 900)?.[2]).toBeNull();
    expect(expectedWaitBand({ lower: 40, point: 80, upper: 90 }, 180, 14, 900)).toBeNull();
    expect(expectedWaitBand({ lower: 0, point: 5, upper: 9 }, null, 14, 900)).toBeNull();
    expect(expectedWaitBand({ lower: 0, point: 0, upper: 2 }, 180, 0, 900)).toEqual([0, 0, null]);
  });
});
