import { describe, expect, it } from 'vitest';
import { createKey, createQueue, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';
import { callId, sendEvents, settle } from './helpers/ingest';

type Wire = Record<string, unknown>;
type Cell = { weekday: number; hour: number; count: number; hours: number; perHour: number | null };

/** A visit of `queueId` that joined at `joined` (ISO with offset) and left after 10 s with `outcome`. */
function visit(queueId: string, joined: string, outcome: 'answered' | 'abandoned'): Wire[] {
  const id = callId('vol');
  const start = Date.parse(joined);
  const e = (type: string, atMs: number, extra: Wire = {}) => ({
    id: `${id}:${type}`,
    type,
    occurredAt: new Date(atMs).toISOString(),
    interactionId: id,
    ...extra,
  });
  return [
    e('interaction.started', start, { direction: 'inbound' }),
    e('queue.joined', start, { queueId }),
    e('queue.left', start + 10_000, { queueId, attrs: { outcome } }),
    e('interaction.ended', start + 10_000),
  ];
}

async function ingestAll(tenant: TestTenant, events: Wire[]) {
  const key = await createKey(tenant, { scopes: ['ingest'] });
  for (let i = 0; i < events.length; i += 100) await sendEvents(key.client, events.slice(i, i + 100));
  await settle(tenant);
}

const profile = (tenant: TestTenant, params: Record<string, string>) =>
  tenant.admin.get(`/v1/kpis/volume-profile?${new URLSearchParams(params).toString()}`);
const cellOf = (body: { cells: Cell[] }, weekday: number, hour: number) =>
  body.cells.find((c) => c.weekday === weekday && c.hour === hour);

describe('GET /v1/kpis/volume-profile', () => {
  it('counts visits per local hour × weekday with the hours behind each, per queue and outcome', async () => {
    const tenant = await createTenant();
    const a = await createQueue(tenant);
    const b = await createQueue(tenant);
    // Two weeks from Monday 2 November 2026 in New York (EST all along).
    await ingestAll(tenant, [
      ...visit(a.id, '2026-11-02T09:10:00-05:00', 'answered'),
      ...visit(a.id, '2026-11-02T09:50:00-05:00', 'abandoned'),
      ...visit(b.id, '2026-11-02T09:30:00-05:00', 'answered'),
      ...visit(a.id, '2026-11-02T10:05:00-05:00', 'abandoned'),
      ...visit(a.id, '2026-11-09T09:20:00-05:00', 'answered'),
      ...visit(a.id, '2026-11-03T14:59:59-05:00', 'answered'),
      ...visit(a.id, '2026-11-16T09:00:00-05:00', 'answered'), // after the range
    ]);
    const range = { from: '2026-11-02T00:00:00-05:00', to: '2026-11-16T00:00:00-05:00', timeZone: 'America/New_York' };
    const res = await profile(tenant, range);
    expect(res.status, res.text).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({
      timeZone: 'America/New_York',
      metric: 'offered',
      from: '2026-11-02T05:00:00.000Z',
      to: '2026-11-16T05:00:00.000Z',
      queueIds: null,
      status: 'complete',
      total: { count: 6, hours: 336 },
    });
    expect(body.cells).toHaveLength(168);
    expect(body.cells[0]).toEqual({ weekday: 1, hour: 0, count: 0, hours: 2, perHour: 0 });
    expect(cellOf(body, 1, 9)).toEqual({ weekday: 1, hour: 9, count: 4, hours: 2, perHour: 2 });
    expect(cellOf(body, 1, 10)).toMatchObject({ count: 1, perHour: 0.5 });
    expect(cellOf(body, 2, 14)).toMatchObject({ count: 1, perHour: 0.5 });
    expect(body.peak).toMatchObject({ weekday: 1, hour: 9, perHour: 2 });
    // The quietest hour had no visit: no ratio, rather than an infinite one.
    expect(body.trough).toMatchObject({ weekday: 1, hour: 0, perHour: 0 });
    expect(body.peakToTroughRatio).toBeNull();
    expect(body.byHourOfDay.rows[9]).toEqual({ hour: 9, count: 4, hours: 14, perHour: 4 / 14 });
    expect(body.byHourOfDay.peak).toMatchObject({ hour: 9 });
    expect(body.byWeekday.rows[0]).toEqual({ weekday: 1, count: 5, hours: 48, perHour: 5 / 48 });

    const onlyA = (await profile(tenant, { ...range, queueIds: a.id })).body;
    expect(onlyA.queueIds).toEqual([a.id]);
    expect(cellOf(onlyA, 1, 9)).toMatchObject({ count: 3, perHour: 1.5 });
    const answered = (await profile(tenant, { ...range, queueIds: a.id, metric: 'answered' })).body;
    expect(answered.metric).toBe('answered');
    expect(cellOf(answered, 1, 9)).toMatchObject({ count: 2 });
    expect(answered.total.count).toBe(3);
    const abandoned = (await profile(tenant, { ...range, metric: 'abandoned' })).body;
    expect(abandoned.total.count).toBe(2);
    expect(cellOf(abandoned, 1, 10)).toMatchObject({ count: 1 });

    // Two hours, the range rounded out to whole local hours: 3 visits at 09:00, 1 at 10:00.
    const narrow = await profile(tenant, { ...range, from: '2026-11-02T09:20:00-05:00', to: '2026-11-02T10:40:00-05:00' });
    expect(narrow.status, narrow.text).toBe(200);
    expect(narrow.body).toMatchObject({ from: '2026-11-02T14:00:00.000Z', to: '2026-11-02T16:00:00.000Z' });
    expect(narrow.body.peak).toMatchObject({ weekday: 1, hour: 9, count: 3, hours: 1 });
    expect(narrow.body.trough).toMatchObject({ weekday: 1, hour: 10, count: 1, hours: 1 });
    expect(narrow.body.peakToTroughRatio).toBe(3);
    expect(cellOf(narrow.body, 1, 8)).toMatchObject({ hours: 0, perHour: null });
  });

  it("a repeated DST hour counts twice, in the tenant's time zone by default", async () => {
    const tenant = await createTenant({ settings: { timeZone: 'America/New_York' } });
    const q = await createQueue(tenant);
    // Sunday 1 November 2026: 01:00-02:00 happens twice (EDT, then EST).
    await ingestAll(tenant, [
      ...visit(q.id, '2026-11-01T01:30:00-04:00', 'answered'),
      ...visit(q.id, '2026-11-01T01:30:00-05:00', 'answered'),
      ...visit(q.id, '2026-11-01T02:00:00-05:00', 'answered'),
    ]);
    const res = await profile(tenant, { from: '2026-11-01T00:00:00-04:00', to: '2026-11-02T00:00:00-05:00' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.timeZone).toBe('America/New_York');
    expect(res.body.total).toMatchObject({ count: 3, hours: 25 });
    expect(cellOf(res.body, 7, 1)).toEqual({ weekday: 7, hour: 1, count: 2, hours: 2, perHour: 1 });
    expect(cellOf(res.body, 7, 2)).toEqual({ weekday: 7, hour: 2, count: 1, hours: 1, perHour: 1 });

    // The same instants in UTC: 05:30, 06:30 and 07:00 on Sunday, one hour each.
    const utc = (await profile(tenant, { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', timeZone: 'UTC' })).body;
    expect(utc.total).toMatchObject({ count: 3, hours: 24 });
    expect([cellOf(utc, 7, 5)?.count, cellOf(utc, 7, 6)?.count, cellOf(utc, 7, 7)?.count]).toEqual([1, 1, 1]);
  });

  it('a range reaching past now is partial and counts hours only up to now', async () => {
    const tenant = await createTenant();
    const now = Date.now();
    const res = await profile(tenant, {
      from: new Date(now - 3 * 3_600_000).toISOString(),
      to: new Date(now + 2 * 86_400_000).toISOString(),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('partial');
    expect(res.body.total.count).toBe(0);
    const hours = res.body.total.hours as number;
    const fromRounded = Date.parse(res.body.from);
    // Hours counted: from the rounded start to (about) now, not to the end of the range.
    expect(hours).toBeGreaterThanOrEqual((now - fromRounded) / 3_600_000 - 0.01);
    expect(hours).toBeLessThan((Date.now() - fromRounded) / 3_600_000 + 0.01);
  });

  it('a visit still waiting makes a past range partial until it leaves its queue', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const joined = hour - 90 * 60_000; // recent enough not to be swept as stale
    const id = callId('wait');
    const ev = (type: string, atMs: number, extra: Wire = {}) => ({
      id: `${id}:${type}`,
      type,
      occurredAt: new Date(atMs).toISOString(),
      interactionId: id,
      ...extra,
    });
    await ingestAll(tenant, [ev('interaction.started', joined), ev('queue.joined', joined, { queueId: q.id })]);
    const range = { from: new Date(hour - 2 * 3_600_000).toISOString(), to: new Date(hour - 3_600_000).toISOString() };
    const waiting = (await profile(tenant, { ...range, metric: 'abandoned' })).body;
    expect(waiting).toMatchObject({ status: 'partial', total: { count: 0, hours: 1 } });
    expect((await profile(tenant, range)).body.total.count).toBe(1);

    await ingestAll(tenant, [ev('queue.left', joined + 30_000, { queueId: q.id, attrs: { outcome: 'abandoned' } })]);
    const left = (await profile(tenant, { ...range, metric: 'abandoned' })).body;
    expect(left).toMatchObject({ status: 'complete', total: { count: 1, hours: 1 } });
  });

  it('a team lead’s key reads it (a queue’s volume names no agent); an agent’s key is refused', async () => {
    const tenant = await createTenant();
    const q = await createQueue(tenant);
    await ingestAll(tenant, visit(q.id, '2026-03-02T09:10:00Z', 'answered'));
    const team = await tenant.admin.post<{ id: string }>('/v1/teams', { name: 'Front' });
    const agent = await tenant.admin.post<{ id: string }>('/v1/agents', { name: 'Ada', teamId: team.body.id });
    const params = new URLSearchParams({ from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z', timeZone: 'UTC' });
    const lead = await createKey(tenant, { scopes: ['read'], limit: { teamId: team.body.id } });
    const led = await lead.client.get<{ cells: Cell[] }>(`/v1/kpis/volume-profile?${params}`);
    expect(led.status, led.text).toBe(200);
    expect(cellOf(led.body, 1, 9)?.count).toBe(1);
    const own = await createKey(tenant, { scopes: ['read'], limit: { agentId: agent.body.id } });
    expectProblem(await own.client.get(`/v1/kpis/volume-profile?${params}`), 403, 'KEY_LIMITED');
  });

  it('refuses what it cannot answer with a pointer', async () => {
    const tenant = await createTenant();
    const range = { from: '2026-11-02T00:00:00Z', to: '2026-11-09T00:00:00Z' };
    const backwards = expectProblem(await profile(tenant, { from: range.to, to: range.from }), 422, 'VALIDATION_FAILED');
    expect(backwards.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/to' })]);
    const long = expectProblem(
      await profile(tenant, { from: '2025-01-01T00:00:00Z', to: '2026-02-06T00:00:00Z' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(long.errors?.[0]?.detail).toContain('400 days');
    expectProblem(await profile(tenant, { ...range, metric: 'handled' }), 422, 'VALIDATION_FAILED');
    expectProblem(await profile(tenant, { ...range, timeZone: 'Mars/Olympus' }), 422, 'VALIDATION_FAILED');
    expectProblem(await profile(tenant, { to: range.to }), 422, 'VALIDATION_FAILED');
  });
});
