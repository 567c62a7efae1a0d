import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { settle } from './helpers/ingest';

/**
 * GET /v1/forecasts end to end: three weeks of history imported as CSV (docs/imports.md), through the rollups, to a
 * forecast of the week after, in the tenant's zone with its holiday calendar.
 */
const ZONE = 'Europe/Prague'; // CET (+01:00) all of November 2026
/** Monday 2 November 2026, 00:00 in Prague: history starts here and runs three weeks, all in the past. */
const START = Date.parse('2026-11-02T00:00:00+01:00');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Calls per quarter hour from 09:00 to 12:00 local: 3 on Mondays, 2 on other weekdays, none at weekends. */
const perQuarter = (day: number) => (day % 7 === 0 ? 3 : day % 7 < 5 ? 2 : 0);

/** The history as an import: every call answered by ada after 10 s, 90 s of talk and 30 s of wrap-up (AHT 120 s). */
function history(closed: Set<number>): string {
  const rows = ['rowKey,queue,enqueuedAt,leftAt,outcome,agent,talkSeconds,acwSeconds'];
  for (let day = 0; day < 21; day++) {
    if (closed.has(day)) continue;
    for (let q = 0; q < 12; q++) {
      for (let n = 0; n < perQuarter(day); n++) {
        const joined = START + day * DAY + 9 * 3_600_000 + q * 900_000 + n * 60_000;
        rows.push(`fc-${day}-${q}-${n},sales,${iso(joined)},${iso(joined + 10_000)},answered,ada,90,30`);
      }
    }
  }
  return `${rows.join('\n')}\n`;
}

async function setUp(): Promise<{ tenant: TestTenant; queueId: string; teamId: string; agentId: string }> {
  const tenant = await createTenant({ settings: { timeZone: ZONE } });
  const team = await createTeam(tenant);
  const queue = await createQueue(tenant, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
  const agent = await createAgent(tenant, { teamId: team.id, externalKeys: [{ provider: 'generic', key: 'ada' }] });
  // Wednesday 18 November was a holiday: closed, no call.
  const imported = await tenant.admin.post('/v1/imports', undefined, {
    rawBody: history(new Set([16])),
    headers: { 'Content-Type': 'text/csv' },
  });
  expect(imported.status, imported.text).toBe(201);
  expect(imported.body).toMatchObject({ rowsImported: 3 * (12 * 3 + 4 * 12 * 2) - 12 * 2, rowsFailed: 0 });
  await settle(tenant);
  return { tenant, queueId: queue.id, teamId: team.id, agentId: agent.id };
}

const forecast = (tenant: TestTenant, params: Record<string, string>, key = tenant.admin) =>
  key.get(`/v1/forecasts?${new URLSearchParams(params).toString()}`);

type Interval = {
  start: string;
  end: string;
  offered: { point: number; lower: number; upper: number };
  ahtSeconds: number | null;
  holiday: boolean;
};

describe('GET /v1/forecasts', () => {
  it('forecasts the week after three weeks of history per 15-minute interval, holidays left out and flagged', async () => {
    const { tenant, queueId, teamId, agentId } = await setUp();
    const settings = await tenant.admin.patch('/v1/settings', {
      holidays: [{ date: '2026-11-18', name: 'Struggle for Freedom and Democracy Day' }, { date: '2026-11-26' }],
    });
    expect(settings.status, settings.text).toBe(200);
    const week = { queueId, from: '2026-11-23T00:00:00+01:00', to: '2026-11-30T00:00:00+01:00' };
    const res = await forecast(tenant, week);
    expect(res.status, res.text).toBe(200);
    const body = res.body as { intervals: Interval[] } & Record<string, any>;
    expect(body).toMatchObject({
      queueId,
      timeZone: ZONE,
      from: '2026-11-22T23:00:00.000Z',
      to: '2026-11-29T23:00:00.000Z',
      level: 0.9,
      // A perfectly weekly history: every method is exact on the held-out week, and the simplest is chosen.
      method: 'seasonalNaive',
      backtest: { weeks: 1, wape: 0, bias: 0, ahtWape: 0 },
      training: {
        from: '2026-11-01T23:00:00.000Z', // the first day with a call, not 8 weeks back
        to: '2026-11-22T23:00:00.000Z',
        days: 21,
        excludedDays: [{ date: '2026-11-18', reason: 'holiday' }],
        replacedIntervals: 0,
      },
    });
    expect(body.backtest.methods.map((m: { method: string }) => m.method)).toEqual([
      'seasonalNaive',
      'seasonalMean',
      'holtWinters',
    ]);
    expect(body.intervals).toHaveLength(7 * 96);
    const at = (local: string) => body.intervals.find((i) => i.start === iso(Date.parse(`${local}+01:00`))) as Interval;
    expect(at('2026-11-23T09:00:00')).toMatchObject({ end: '2026-11-23T08:15:00.000Z', ahtSeconds: 120, holiday: false });
    expect(at('2026-11-23T09:00:00').offered.point).toBe(3);
    expect(at('2026-11-24T11:45:00').offered.point).toBe(2);
    // Wednesday is forecast from the Wednesday before the holiday, not from the closed one.
    expect(at('2026-11-25T10:30:00').offered.point).toBe(2);
    expect(at('2026-11-23T08:45:00').offered.point).toBe(0);
    expect(at('2026-11-28T10:00:00').offered.point).toBe(0);
    for (const i of body.intervals) {
      expect(i.offered.lower).toBeGreaterThanOrEqual(0);
      expect(i.offered.lower).toBeLessThanOrEqual(i.offered.point);
      expect(i.offered.upper).toBeGreaterThanOrEqual(i.offered.point);
    }
    // The intervals are as wide as the backtest's errors were: none here, so they are the point itself.
    expect(at('2026-11-23T09:00:00').offered).toEqual({ point: 3, lower: 3, upper: 3 });
    // Thursday 26 November is in the calendar: its 96 intervals are flagged, and only they.
    const flagged = body.intervals.filter((i) => i.holiday);
    expect(flagged).toHaveLength(96);
    expect(flagged[0]?.start).toBe('2026-11-25T23:00:00.000Z');

    // Without the calendar, the closed Wednesday is still left out, as an outlier day (a Wednesday far below the others).
    await tenant.admin.patch('/v1/settings', { holidays: [] });
    const plain = (await forecast(tenant, week)).body;
    expect(plain.training.excludedDays).toEqual([{ date: '2026-11-18', reason: 'outlier' }]);
    expect(plain.intervals.some((i: Interval) => i.holiday)).toBe(false);

    // A team lead's key reads it (a queue's volume names no agent); an agent's key does not.
    const teamKey = await createKey(tenant, { scopes: ['read'], limit: { teamId } });
    const teamRes = await forecast(tenant, week, teamKey.client);
    expect(teamRes.status, teamRes.text).toBe(200);
    expect(teamRes.body.intervals).toEqual(plain.intervals);
    const agentKey = await createKey(tenant, { scopes: ['read'], limit: { agentId } });
    expectProblem(await forecast(tenant, week, agentKey.client), 403, 'KEY_LIMITED');
  });

  it('refuses bad ranges with a pointer, and another tenant’s queue with a 404', async () => {
    const tenant = await createTenant({ settings: { timeZone: ZONE } });
    const queue = await createQueue(tenant);
    const pointers = async (params: Record<string, string>) =>
      expectProblem(await forecast(tenant, params), 422, 'VALIDATION_FAILED').errors?.map((e) => e.pointer);
    const week = { queueId: queue.id, from: '2026-11-23T00:00:00+01:00', to: '2026-11-30T00:00:00+01:00' };
    expect(await pointers({ ...week, to: week.from })).toEqual(['/to']);
    expect(await pointers({ ...week, to: '2026-12-29T00:00:00+01:00' })).toEqual(['/to']); // 36 days after the origin
    expect(await pointers({ from: week.from, to: week.to })).toEqual(['/queueId']);
    expect(await pointers({ ...week, from: 'monday' })).toEqual(['/from']);
    expect(await pointers({ ...week, weeks: '0' })).toEqual(['/weeks']);
    // 35 days is the most; a queue with no history forecasts zeros, without a backtest.
    const empty = await forecast(tenant, { ...week, to: '2026-12-28T00:00:00+01:00' });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body).toMatchObject({ backtest: null, training: { days: 0, from: null } });
    expect(empty.body.intervals).toHaveLength(35 * 96);
    expect(empty.body.intervals.every((i: Interval) => i.offered.point === 0 && i.ahtSeconds === null)).toBe(true);

    const other = await createTenant();
    const theirs = await createQueue(other);
    expectProblem(await forecast(tenant, { ...week, queueId: theirs.id }), 404, 'NOT_FOUND');
    expectProblem(await forecast(tenant, { ...week, queueId: 'que_nope' }), 404, 'NOT_FOUND');
  });

  it('takes the holiday calendar in the settings: dates once each, real dates', async () => {
    const tenant = await createTenant();
    const twice = await tenant.admin.patch('/v1/settings', { holidays: [{ date: '2026-12-25' }, { date: '2026-12-25' }] });
    expect(expectProblem(twice, 422, 'VALIDATION_FAILED').errors?.map((e) => e.pointer)).toEqual(['/holidays/1/date']);
    const invalidDate = await tenant.admin.patch('/v1/settings', { holidays: [{ date: '2026-02-30' }] });
    expect(expectProblem(invalidDate, 422, 'VALIDATION_FAILED').errors?.map((e) => e.pointer)).toEqual(['/holidays/0/date']);
    const ok = await tenant.admin.patch('/v1/settings', { holidays: [{ date: '2026-12-25', name: 'Christmas Day' }] });
    expect(ok.status, ok.text).toBe(200);
    expect((await tenant.admin.get('/v1/settings')).body.holidays).toEqual([{ date: '2026-12-25', name: 'Christmas Day' }]);
  });
});
