import { describe, expect, it } from 'vitest';
import { liveMetrics } from '../kpi/live';
import { type AgentView, forecastBand, observe, QUIET, type QueueView, type SubjectState, step, type TenantView } from './engine';
import { type AlertRule, AlertRuleCreateSchema, ruleProblem } from './rules';
import { POLICY, queueFacts_ } from './test-view';

const T = Date.UTC(2026, 0, 5, 9, 0);
let n = 0;
const newId = () => `alr_${++n}`;

const rule = (over: Record<string, unknown>): AlertRule => ({
  id: 'rule1',
  ...AlertRuleCreateSchema.parse({
    name: 'r',
    scope: { kind: 'queue', id: 'q1' },
    condition: { type: 'metric', metric: 'waiting', comparator: 'gte', threshold: 3 },
    ...over,
  }),
});

function queue(id: string, over: Partial<QueueView> = {}): QueueView {
  const empty = liveMetrics(queueFacts_([], []), POLICY);
  return {
    queueId: id,
    siteId: null,
    waiting: 0,
    longestWaitMs: null,
    newCallerEwtMs: null,
    today: empty,
    windows: { 15: empty, 30: empty, 60: empty },
    agents: [],
    ...over,
  };
}

const view = (
  queues: QueueView[],
  agents: (AgentView & { teamId?: string | null; siteId?: string | null })[] = [],
  now = T,
): TenantView => ({
  now,
  queues,
  agents: agents.map((a) => ({ teamId: null, siteId: null, ...a })),
  weekSlot: 36,
});

describe('observe', () => {
  it('a metric rule over a site sums its queues; a ratio needs its minimum denominator', () => {
    const answered = liveMetrics(
      queueFacts_(
        [
          ['answered', 5_000],
          ['answered', 30_000],
          ['abandoned', 9_000],
        ],
        [],
      ),
      POLICY,
    );
    const qs = [
      queue('q1', { siteId: 's1', waiting: 2, today: answered }),
      queue('q2', { siteId: 's1', waiting: 2 }),
      queue('q3', { waiting: 9 }),
    ];
    expect(observe(rule({ scope: { kind: 'site', id: 's1' } }), view(qs))[0]).toMatchObject({
      subject: 'site:s1',
      value: 4,
      holds: true,
    });
    const sl = rule({
      condition: { type: 'metric', metric: 'serviceLevel', comparator: 'lt', threshold: 0.5, minDenominator: 3 },
    });
    expect(observe(sl, view(qs))[0]).toMatchObject({ value: 1 / 3, holds: true });
    const strict = rule({
      condition: { type: 'metric', metric: 'serviceLevel', comparator: 'lt', threshold: 0.5, minDenominator: 4 },
    });
    expect(observe(strict, view(qs))[0]).toMatchObject({ value: null, holds: false });
  });

  it('an agent-state rule watches each agent of its scope in the state, and says when it will start to hold', () => {
    const r = rule({
      scope: { kind: 'team', id: 't1' },
      condition: { type: 'agent_state', state: 'away', reasons: ['lunch'], maxSeconds: 1800 },
    });
    const agents = [
      { agentId: 'a1', state: 'away' as const, reason: 'lunch', since: T - 1_900_000, teamId: 't1' },
      { agentId: 'a2', state: 'away' as const, reason: 'lunch', since: T - 60_000, teamId: 't1' },
      { agentId: 'a3', state: 'away' as const, reason: 'training', since: T - 9_000_000, teamId: 't1' },
      { agentId: 'a4', state: 'away' as const, reason: 'lunch', since: T - 9_000_000, teamId: 't2' },
    ];
    expect(observe(r, view([], agents))).toEqual([
      { subject: 'agent:a1', agentId: 'a1', value: 1_900_000, holds: true, holdsFrom: T - 1_900_000 + 1_800_000 + 1 },
      { subject: 'agent:a2', agentId: 'a2', value: 60_000, holds: false, holdsFrom: T - 60_000 + 1_800_000 + 1 },
    ]);
  });

  it('an anomaly rule compares the last hour with the normal value of this slot of the week', () => {
    const hour = liveMetrics(
      queueFacts_(
        Array.from({ length: 30 }, () => ['answered', 1000] as const),
        [],
      ),
      POLICY,
    );
    const r: AlertRule = {
      ...rule({ condition: { type: 'anomaly', measure: 'offered', factor: 2 } }),
      baseline: Array.from({ length: 672 }, (_, i) => (i === 36 ? 10 : null)),
    };
    expect(observe(r, view([queue('q1', { windows: { 60: hour } })]))[0]).toMatchObject({ value: 30, holds: true });
    expect(observe({ ...r, baseline: null }, view([queue('q1', { windows: { 60: hour } })]))[0]).toMatchObject({ holds: false });
  });

  it('against the forecast: the last hour outside the prediction interval of the intervals it spans', () => {
    const calls = (n: number) =>
      liveMetrics(
        queueFacts_(
          Array.from({ length: n }, () => ['answered', 1000] as const),
          [],
        ),
        POLICY,
      );
    // From two hours before T: 5 calls a quarter hour expected, between 2 and 9.
    const forecast = { from: T - 2 * 3_600_000, bands: Array.from({ length: 16 }, () => [2, 5, 9] as [number, number, number]) };
    const r: AlertRule = {
      ...rule({ condition: { type: 'anomaly', measure: 'offered', factor: 2 } }),
      // A baseline that would say otherwise: the forecast wins.
      baseline: Array.from({ length: 672 }, () => 1000),
      forecast,
    };
    const seen = (n: number, now = T) => observe(r, view([queue('q1', { windows: { 60: calls(n) } })], [], now))[0];
    // The hour expects 20, between 8 and 36.
    expect(seen(37)).toMatchObject({ value: 37, holds: true });
    expect(seen(36)).toMatchObject({ holds: false });
    expect(seen(8)).toMatchObject({ holds: false });
    expect(seen(7)).toMatchObject({ holds: true });
    // Past the forecast's end: back to the baseline (1000 an hour; 37 is far below it).
    expect(seen(37, T + 3 * 3_600_000)).toMatchObject({ holds: true, value: 37 });
    expect(seen(3000, T + 3 * 3_600_000)).toMatchObject({ holds: true });
    // `against: history` ignores the forecast.
    const history = { ...r, condition: { ...r.condition, against: 'history' as const } } as AlertRule;
    expect(observe(history, view([queue('q1', { windows: { 60: calls(37) } })]))[0]).toMatchObject({ holds: true });
    expect(observe(history, view([queue('q1', { windows: { 60: calls(700) } })]))[0]).toMatchObject({ holds: false });
  });

  it("an anomaly rule over a site sums its queues' last hour and judges it against the site's past weeks, never a forecast", () => {
    const hour = (waits: number[]) =>
      liveMetrics(
        queueFacts_(
          waits.map((w) => ['answered', w] as const),
          [],
        ),
        POLICY,
      );
    const r: AlertRule = {
      ...rule({ scope: { kind: 'site', id: 's1' }, condition: { type: 'anomaly', measure: 'asa', factor: 2 } }),
      baseline: Array.from({ length: 672 }, (_, i) => (i === 36 ? 10_000 : null)),
      // A forecast a site rule never has; were it read, 25 s would be inside [0, 60 s].
      forecast: {
        from: T - 2 * 3_600_000,
        bands: Array.from({ length: 16 }, () => [0, 30_000, 60_000] as [number, number, number]),
      },
    };
    const queues = [
      queue('q1', { siteId: 's1', windows: { 60: hour([10_000, 20_000]) } }),
      queue('q2', { siteId: 's1', windows: { 60: hour([40_000, 30_000]) } }),
      queue('q3', { siteId: 's2', windows: { 60: hour([1_000_000]) } }),
    ];
    // (10 + 20 + 40 + 30) / 4 = 25 s, more than twice the normal 10 s; q3 of another site is not in it.
    expect(observe(r, view(queues))).toEqual([
      { subject: 'site:s1', agentId: null, value: 25_000, holds: true, holdsFrom: null },
    ]);
    expect(observe(r, view(queues.slice(0, 1)))[0]).toMatchObject({ value: 15_000, holds: false });
    expect(observe({ ...r, scope: { kind: 'site', id: 's3' } }, view(queues))).toEqual([]);
  });

  it('a forecast band spans the rolling hour in proportion', () => {
    const forecast = {
      from: T,
      bands: [
        [0, 4, 8],
        [1, 8, 12],
        [0, 0, 0],
        [2, 2, 2],
        [4, 4, 4],
      ] as [number, number, number][],
    };
    // 07:30 into the first interval to 07:30 into the fifth: half of the first, all of 2–4, half of the fifth.
    const from = T + 7.5 * 60_000;
    expect(forecastBand(forecast, from, from + 3_600_000)).toEqual({ lower: 5, point: 14, upper: 20 });
    expect(forecastBand(forecast, T - 1, T + 3_600_000)).toBeNull();
    expect(forecastBand(forecast, T + 30 * 60_000, T + 90 * 60_000)).toBeNull();
    expect(forecastBand(null, T, T + 1)).toBeNull();
  });

  it('refuses rules whose scope and condition do not fit', () => {
    expect(ruleProblem(rule({ condition: { type: 'anomaly', measure: 'abandoned', against: 'forecast' } }))).toMatchObject({
      pointer: '/condition/against',
    });
    expect(ruleProblem(rule({ scope: { kind: 'team', id: 't' } }))).toMatchObject({ pointer: '/condition/metric' });
    expect(ruleProblem(rule({ scope: { kind: 'queue' } }))).toMatchObject({ pointer: '/scope/id' });
    expect(ruleProblem(rule({ scope: { kind: 'tenant' } }))).toBeNull();
    expect(
      ruleProblem(rule({ scope: { kind: 'team', id: 't' }, condition: { type: 'anomaly', measure: 'offered' } })),
    ).toMatchObject({ pointer: '/scope/kind' });
    // A site's queues together, against their history only: forecasts are per queue.
    expect(
      ruleProblem(rule({ scope: { kind: 'site', id: 's' }, condition: { type: 'anomaly', measure: 'offered' } })),
    ).toBeNull();
    expect(
      ruleProblem(
        rule({ scope: { kind: 'site', id: 's' }, condition: { type: 'anomaly', measure: 'asa', against: 'forecast' } }),
      ),
    ).toMatchObject({ pointer: '/condition/against' });
  });
});

describe('step: the lifecycle of a (rule, subject)', () => {
  const r = { forSeconds: 60, cooldownSeconds: 300 };
  const holds = { subject: 's', agentId: null, value: 5, holds: true, holdsFrom: null };
  const fine = { ...holds, value: 1, holds: false };

  it('triggers only once the condition held for forSeconds, resolves when it stops, then stays quiet for the cooldown', () => {
    let s: SubjectState = QUIET;
    let out = step(r, s, holds, T, newId);
    expect(out).toMatchObject({ transition: null, wakeAt: T + 60_000 });
    s = out.next;
    out = step(r, s, holds, T + 59_999, newId);
    expect(out.transition).toBeNull();
    out = step(r, out.next, holds, T + 60_000, newId);
    expect(out.transition).toMatchObject({ kind: 'triggered', alert: { triggeredAt: T + 60_000, value: 5 } });
    const id = out.next.active?.id;
    out = step(r, out.next, holds, T + 90_000, newId);
    expect(out.transition).toBeNull();
    out = step(r, out.next, fine, T + 100_000, newId);
    expect(out.transition).toMatchObject({ kind: 'resolved', alert: { id }, resolvedAt: T + 100_000, value: 1 });
    // Holds again at once: not before the cooldown (and the for-duration) are over.
    out = step(r, out.next, holds, T + 110_000, newId);
    expect(out).toMatchObject({ transition: null, wakeAt: T + 400_000 });
    out = step(r, out.next, holds, T + 400_000, newId);
    expect(out.transition?.kind).toBe('triggered');
  });

  it('a condition that stops holding before forSeconds never triggers; a vanished subject resolves', () => {
    let out = step(r, QUIET, holds, T, newId);
    out = step(r, out.next, fine, T + 30_000, newId);
    expect(out.next.pendingSince).toBeNull();
    out = step({ forSeconds: 0, cooldownSeconds: 0 }, QUIET, holds, T, newId);
    expect(out.transition?.kind).toBe('triggered');
    expect(step(r, out.next, undefined, T + 1, newId).transition?.kind).toBe('resolved');
  });
});
