import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTeam, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { DAY, ingestAll, iso, t, visitEvents } from './helpers/kpi-calls';

type MetricJson = { value: number | null; numerator: number; denominator: number | null };

const kpis = (tenant: TestTenant, params: Record<string, string>) =>
  tenant.admin.get(`/v1/kpis?${new URLSearchParams(params).toString()}`);

describe('GET /v1/kpis', () => {
  it('service level is exact at the threshold, under the tenant policy and any threshold a request gives', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant);
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 0), 10, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 60), 20, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 120), 20.001, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 180), 25, 'answered', { agentId: ada.id }),
      ...visitEvents(q.id, t(0, 240), 3, 'abandoned'), // short (≤ 5 s)
      ...visitEvents(q.id, t(0, 300), 8, 'abandoned'),
      ...visitEvents(q.id, t(0, 360), 30, 'timeout'),
    ]);
    const base = {
      metrics: 'offered,answered,abandoned,shortAbandons,flowedOut,serviceLevel,asa,maxWait',
      from: iso(DAY),
      to: iso(DAY + 86_400_000),
    };
    const res = await kpis(tenant, base);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: 'UTC',
      interval: 'total',
      from: iso(DAY),
      to: iso(DAY + 86_400_000),
      groupBy: [],
    });
    expect(res.body.rows).toHaveLength(1);
    const m = res.body.rows[0].metrics;
    expect(m.offered).toMatchObject({ value: 7, numerator: 7, denominator: null, unit: 'count', status: 'complete' });
    expect(m.answered.value).toBe(4);
    expect(m.abandoned.value).toBe(2);
    expect(m.shortAbandons.value).toBe(1);
    expect(m.flowedOut.value).toBe(1);
    // Met: 10 s and exactly 20 s (20.001 s is not); denominator: 4 answered + 2 abandoned − 1 short + 1 flowed out.
    expect(m.serviceLevel).toMatchObject({ numerator: 2, denominator: 6, unit: 'ratio' });
    expect(m.serviceLevel.value).toBeCloseTo(2 / 6, 12);
    expect(m.asa).toMatchObject({ numerator: 10_000 + 20_000 + 20_001 + 25_000, denominator: 4, unit: 'ms' });
    expect(m.maxWait.value).toBe(30_000);

    const at = async (params: Record<string, string>) =>
      (await kpis(tenant, { ...base, ...params })).body.rows[0].metrics.serviceLevel;
    expect(await at({ 'serviceLevel.thresholdSeconds': '21' })).toMatchObject({ numerator: 3, denominator: 6 });
    expect(await at({ 'serviceLevel.thresholdSeconds': '0' })).toMatchObject({ numerator: 0, denominator: 6 });
    expect(await at({ 'serviceLevel.thresholdSeconds': '3600' })).toMatchObject({ numerator: 4, denominator: 6 });
    expect(await at({ 'serviceLevel.excludeShortAbandons': 'false' })).toMatchObject({ numerator: 2, denominator: 7 });
    expect(
      await at({ 'serviceLevel.flowOutsInDenominator': 'false', 'serviceLevel.abandonsInDenominator': 'false' }),
    ).toMatchObject({
      numerator: 2,
      denominator: 4,
    });

    // A policy change applies to history at once.
    expect((await tenant.admin.patch('/v1/settings', { serviceLevel: { thresholdSeconds: 25 } })).status).toBe(200);
    expect(await at({})).toMatchObject({ numerator: 4, denominator: 6 });
  });

  it('days are cut in the time zone; rows per queue use each queue policy; empty periods are zeros', async () => {
    const tenant = await createTenant();
    const strict = await createQueue(tenant, { serviceLevel: { thresholdSeconds: 10 } });
    const loose = await createQueue(tenant);
    // 09:00 UTC is 04:00 in New York; 02:00 UTC on day 1 is still day 0 (21:00) there.
    await ingestAll(tenant, [
      ...visitEvents(strict.id, t(0, 0), 15, 'abandoned'),
      ...visitEvents(strict.id, t(0, 10), 15, 'answered', { agentId: (await createAgent(tenant)).id }),
      ...visitEvents(loose.id, DAY + 86_400_000 + 2 * 3_600_000, 15, 'answered', { agentId: (await createAgent(tenant)).id }),
    ]);
    const res = await kpis(tenant, {
      metrics: 'offered,serviceLevel',
      from: '2026-11-02T00:00:00-05:00',
      to: '2026-11-05T00:00:00-05:00',
      interval: 'day',
      groupBy: 'queue',
      timeZone: 'America/New_York',
    });
    expect(res.status, res.text).toBe(200);
    const rows = res.body.rows as {
      start: string;
      group: { queueId: string };
      metrics: { offered: MetricJson; serviceLevel: MetricJson };
    }[];
    expect(rows).toHaveLength(3 * 2);
    const cell = (day: string, queueId: string) => {
      const found = rows.find((r) => r.start === day && r.group.queueId === queueId)?.metrics;
      if (!found) throw new Error(`no row for ${queueId} on ${day}`);
      return found;
    };
    expect(cell('2026-11-02T05:00:00.000Z', strict.id).offered.value).toBe(2);
    expect(cell('2026-11-02T05:00:00.000Z', strict.id).serviceLevel).toMatchObject({ numerator: 0, denominator: 2 });
    expect(cell('2026-11-02T05:00:00.000Z', loose.id).offered.value).toBe(1);
    expect(cell('2026-11-02T05:00:00.000Z', loose.id).serviceLevel).toMatchObject({ numerator: 1, denominator: 1 });
    expect(cell('2026-11-03T05:00:00.000Z', strict.id).offered.value).toBe(0);
    expect(cell('2026-11-03T05:00:00.000Z', strict.id).serviceLevel).toMatchObject({ value: null, denominator: 0 });
  });

  it('by team: a move effective mid-range leaves the days before it with the old team', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const [red, blue] = [await createTeam(tenant), await createTeam(tenant)];
    const ada = await createAgent(tenant, { teamId: red.id });
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 0), 5, 'answered', { agentId: ada.id, talkS: 100 }),
      ...visitEvents(q.id, t(1, 0), 5, 'answered', { agentId: ada.id, talkS: 200 }),
      ...visitEvents(q.id, t(1, 600), 5, 'answered', { agentId: ada.id, talkS: 300 }),
    ]);
    expect(
      (await tenant.admin.patch(`/v1/agents/${ada.id}`, { teamId: blue.id, effectiveFrom: iso(DAY + 86_400_000) })).status,
    ).toBe(200);
    const res = await kpis(tenant, {
      metrics: 'handled,avgTalkTime',
      from: iso(DAY),
      to: iso(DAY + 2 * 86_400_000),
      groupBy: 'team',
    });
    expect(res.status, res.text).toBe(200);
    const byTeam = Object.fromEntries(
      res.body.rows.map((r: { group: { teamId: string }; metrics: unknown }) => [r.group.teamId, r.metrics]),
    );
    expect(byTeam[red.id].handled.value).toBe(1);
    expect(byTeam[red.id].avgTalkTime).toMatchObject({ numerator: 100_000, denominator: 1 });
    expect(byTeam[blue.id].handled.value).toBe(2);
    expect(byTeam[blue.id].avgTalkTime).toMatchObject({ numerator: 500_000, denominator: 2 });
    // The same filtered to one team.
    const blueOnly = await kpis(tenant, { metrics: 'handled', from: iso(DAY), to: iso(DAY + 2 * 86_400_000), teamIds: blue.id });
    expect(blueOnly.body.rows[0].metrics.handled.value).toBe(2);
  });

  it('by team per day: a move in the middle of a day splits that day at the move, from rollups as from records', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const [red, blue] = [await createTeam(tenant), await createTeam(tenant)];
    const ada = await createAgent(tenant, { teamId: red.id });
    const bob = await createAgent(tenant, { teamId: blue.id });
    await ingestAll(tenant, [
      ...visitEvents(q.id, t(0, 0), 5, 'answered', { agentId: ada.id, talkS: 100 }),
      ...visitEvents(q.id, t(1, 0), 5, 'answered', { agentId: ada.id, talkS: 200 }),
      ...visitEvents(q.id, t(1, 7200), 5, 'answered', { agentId: ada.id, talkS: 300 }),
      ...visitEvents(q.id, t(1, 7200), 5, 'answered', { agentId: bob.id, talkS: 400 }),
    ]);
    // Ada joins blue at 01:00 on the second day (a bucket boundary): that day's first call stays red.
    const move = await tenant.admin.patch(`/v1/agents/${ada.id}`, { teamId: blue.id, effectiveFrom: iso(t(1, 3600)) });
    expect(move.status).toBe(200);
    const params = {
      metrics: 'handled,avgTalkTime',
      from: iso(DAY),
      to: iso(DAY + 2 * 86_400_000),
      interval: 'day',
      timeZone: 'UTC',
    };
    const get = async (extra: Record<string, string>) => {
      const [rollups, records] = [
        await kpis(tenant, { ...params, ...extra, source: 'rollups' }),
        await kpis(tenant, { ...params, ...extra, source: 'records' }),
      ];
      expect(rollups.status, rollups.text).toBe(200);
      expect(rollups.body).toEqual(records.body);
      type M = { numerator: number };
      return rollups.body.rows as { start: string; group: { teamId: string }; metrics: { handled: M; avgTalkTime: M } }[];
    };
    const rows = await get({ groupBy: 'team' });
    const at = (day: number, teamId: string) =>
      rows.find((r) => r.start === iso(DAY + day * 86_400_000) && r.group.teamId === teamId);
    expect(at(0, red.id)?.metrics.avgTalkTime.numerator).toBe(100_000);
    expect(at(1, red.id)?.metrics.avgTalkTime.numerator).toBe(200_000);
    expect(at(1, blue.id)?.metrics.avgTalkTime.numerator).toBe(700_000);
    const blueOnly = await get({ teamIds: blue.id });
    expect(blueOnly.map((r) => r.metrics.handled.numerator)).toEqual([0, 2]);
  });

  it('refuses what it cannot answer with a pointer: unknown metrics, agent time by queue, too long a range, too many rows', async () => {
    const tenant = await createTenant();
    const range = { from: iso(DAY), to: iso(DAY + 86_400_000) };
    const unknown = expectProblem(await kpis(tenant, { ...range, metrics: 'offered,nope' }), 422, 'VALIDATION_FAILED');
    expect(unknown.errors).toEqual([expect.objectContaining({ pointer: '/metrics' })]);
    expect(
      expectProblem(await kpis(tenant, { ...range, metrics: 'loggedInTime', groupBy: 'queue' }), 422, 'VALIDATION_FAILED').errors,
    ).toEqual([expect.objectContaining({ pointer: '/groupBy' })]);
    expect(
      expectProblem(
        await kpis(tenant, { metrics: 'offered', from: iso(DAY), to: iso(DAY + 401 * 86_400_000) }),
        422,
        'VALIDATION_FAILED',
      ).errors,
    ).toEqual([expect.objectContaining({ pointer: '/to' })]);
    const many = expectProblem(
      await kpis(tenant, { metrics: 'offered', from: iso(DAY), to: iso(DAY + 300 * 86_400_000), interval: '15m' }),
      422,
      'RESULT_TOO_LARGE',
    );
    expect(many.detail).toContain('20000');
    expectProblem(await kpis(tenant, { ...range, metrics: 'offered', timeZone: 'Mars/Olympus' }), 422, 'VALIDATION_FAILED');
    expectProblem(
      await kpis(tenant, { ...range, metrics: 'offered', 'serviceLevel.thresholdSeconds': '3601' }),
      422,
      'VALIDATION_FAILED',
    );
  });

  it('repeat-caller FCR: a call is resolved when its caller does not call again within the window; open windows are pending', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const ada = await createAgent(tenant);
    const now = Date.now();
    await ingestAll(tenant, [
      // X calls again a day later: the first call is repeated (72 h), the second resolved (its window closed long ago).
      ...visitEvents(q.id, t(0, 0), 10, 'answered', { agentId: ada.id, caller: '+420 601 000 001' }),
      ...visitEvents(q.id, t(1, 0), 10, 'answered', { agentId: ada.id, caller: '+420 601 000 001' }),
      // Y calls once: resolved. A call without a number cannot be matched: left out.
      ...visitEvents(q.id, t(0, 3600), 10, 'answered', { agentId: ada.id, caller: '+420 601 000 002', direction: 'outbound' }),
      ...visitEvents(q.id, t(0, 7200), 10, 'answered', { agentId: ada.id }),
      // Z called an hour ago: its window is open.
      ...visitEvents(q.id, now - 3_600_000, 5, 'answered', { agentId: ada.id, talkS: 30, caller: '+420 601 000 003' }),
    ]);
    const fcr = async (params: Record<string, string>) => {
      const res = await kpis(tenant, { metrics: 'fcrRepeatCaller', ...params });
      expect(res.status, res.text).toBe(200);
      return res.body.rows[0].metrics.fcrRepeatCaller;
    };
    const past = { from: iso(DAY), to: iso(DAY + 2 * 86_400_000) };
    expect(await fcr(past)).toMatchObject({ numerator: 2, denominator: 3, pending: 0, status: 'complete' });
    expect((await fcr(past)).value).toBeCloseTo(2 / 3, 12);
    expect(await fcr({ ...past, fcrWindowHours: '12' })).toMatchObject({ numerator: 3, denominator: 3 });
    expect(await fcr({ ...past, groupBy: 'agent' })).toMatchObject({ numerator: 2, denominator: 3 });
    const recent = { from: iso(now - 86_400_000), to: iso(now + 900_000) };
    expect(await fcr(recent)).toMatchObject({ value: null, numerator: 0, denominator: 0, pending: 1, status: 'partial' });
    // By direction: X's calls are inbound (one repeated, one resolved), Y's outbound (resolved).
    const byDirection = await kpis(tenant, { metrics: 'fcrRepeatCaller', ...past, groupBy: 'direction' });
    expect(byDirection.status, byDirection.text).toBe(200);
    expect(
      Object.fromEntries(
        byDirection.body.rows.map((r: { group: { direction: string }; metrics: { fcrRepeatCaller: { numerator: number } } }) => [
          r.group.direction,
          r.metrics.fcrRepeatCaller,
        ]),
      ),
    ).toMatchObject({ inbound: { numerator: 1, denominator: 2 }, outbound: { numerator: 1, denominator: 1 } });
    expect(await fcr({ ...past, direction: 'outbound' })).toMatchObject({ numerator: 1, denominator: 1 });
  });

  it('the catalog lists every metric with its definition', async () => {
    const tenant = await createTenant();
    const res = await tenant.admin.get('/v1/kpis/catalog');
    expect(res.status).toBe(200);
    const sl = res.body.metrics.find((m: { id: string }) => m.id === 'serviceLevel');
    expect(sl).toMatchObject({ unit: 'ratio', kind: 'ratio', scope: 'queue', higherIsBetter: true, available: true });
    expect(sl.policy).toContain('thresholdSeconds');
    expect(res.body.metrics.find((m: { id: string }) => m.id === 'fcrRepeatCaller')?.available).toBe(true);
  });
});
