import { describe, expect, it } from 'vitest';
import { createAgent, createKey, createSite, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';

/**
 * Site time zones (docs/attendance.md, "Days and time zones"): a shift's day is the local date of its start in the
 * zone of its agent's site as of that start, else the tenant's. Prague springs forward on 2026-03-29 (CET → CEST).
 */
async function setup() {
  const t = await createTenant({ settings: { timeZone: 'UTC' } });
  const prague = await createSite(t, { timeZone: 'Europe/Prague' });
  const kl = await createSite(t, { timeZone: 'Asia/Kuala_Lumpur' });
  const plain = await createSite(t);
  const p = await createAgent(t, { siteId: prague.id });
  const k = await createAgent(t, { siteId: kl.id });
  const n = await createAgent(t, { siteId: plain.id });
  const x = await createAgent(t);
  const m = await createAgent(t, { siteId: prague.id });
  // m moves to Kuala Lumpur at noon UTC on 2026-03-29.
  const moved = await t.admin.patch(`/v1/agents/${m.id}`, { siteId: kl.id, effectiveFrom: '2026-03-29T12:00:00Z' });
  expect(moved.status, moved.text).toBe(200);
  const shift = (id: string, agentId: string, start: string) => {
    const s = Date.parse(start);
    return { id, agentId, start, end: new Date(s + 8 * 3_600_000).toISOString() };
  };
  const shifts = [
    shift('p-0328-2330', p.id, '2026-03-28T23:30:00Z'), // 00:30 CET on the 29th
    shift('p-0329-2130', p.id, '2026-03-29T21:30:00Z'), // 23:30 CEST on the 29th
    shift('p-0329-2230', p.id, '2026-03-29T22:30:00Z'), // 00:30 CEST on the 30th: the same clock hour a day before was +1
    shift('k-0328-1630', k.id, '2026-03-28T16:30:00Z'), // 00:30 on the 29th in Kuala Lumpur (UTC+8)
    shift('k-0329-1559', k.id, '2026-03-29T15:59:00Z'), // 23:59 on the 29th
    shift('n-0328-2330', n.id, '2026-03-28T23:30:00Z'), // a site without a zone: the tenant's (UTC), the 28th
    shift('n-0329-0030', n.id, '2026-03-29T00:30:00Z'),
    shift('x-0329-2330', x.id, '2026-03-29T23:30:00Z'), // no site: UTC, the 29th
    shift('m-0329-1000', m.id, '2026-03-29T10:00:00Z'), // before the move: Prague, 12:00 on the 29th
    shift('m-0329-1630', m.id, '2026-03-29T16:30:00Z'), // after it: Kuala Lumpur, 00:30 on the 30th
  ];
  const res = await t.admin.post('/v1/schedules', { shifts });
  expect(res.status, res.text).toBe(200);
  return { t, prague, kl, plain, p, k, n, x, m };
}

const ids = (rows: { id?: string; shiftId?: string }[]) => rows.map((r) => r.shiftId ?? r.id).sort();

describe('site time zones for schedules and attendance', () => {
  it("GET /v1/attendance?date: each shift on the local date of its start in its agent's site's zone, DST included", async () => {
    const { t, prague, kl } = await setup();
    const day = await t.admin.get('/v1/attendance?date=2026-03-29');
    expect(day.status, day.text).toBe(200);
    expect(ids(day.body.shifts)).toEqual(
      ['p-0328-2330', 'p-0329-2130', 'k-0328-1630', 'k-0329-1559', 'n-0329-0030', 'x-0329-2330', 'm-0329-1000'].sort(),
    );
    const byId = new Map<string, any>(day.body.shifts.map((s: { shiftId: string }) => [s.shiftId, s]));
    expect(byId.get('p-0328-2330')).toMatchObject({ date: '2026-03-29', timeZone: 'Europe/Prague', siteId: prague.id });
    expect(byId.get('k-0328-1630')).toMatchObject({ date: '2026-03-29', timeZone: 'Asia/Kuala_Lumpur', siteId: kl.id });
    expect(byId.get('n-0329-0030')).toMatchObject({ date: '2026-03-29', timeZone: 'UTC' });
    expect(byId.get('x-0329-2330')).toMatchObject({ date: '2026-03-29', timeZone: 'UTC', siteId: null });
    expect(byId.get('m-0329-1000')).toMatchObject({ timeZone: 'Europe/Prague', siteId: prague.id });
    // The day after: Prague's first shift after the clocks changed, and the moved agent's shift in its new zone.
    const next = await t.admin.get('/v1/attendance?date=2026-03-30');
    expect(ids(next.body.shifts)).toEqual(['m-0329-1630', 'p-0329-2230']);
    expect(next.body.shifts.find((s: { shiftId: string }) => s.shiftId === 'm-0329-1630')).toMatchObject({
      timeZone: 'Asia/Kuala_Lumpur',
      siteId: kl.id,
    });
    // A range lists every shift with its own date, whatever the range's bounds.
    const range = await t.admin.get('/v1/attendance?from=2026-03-28T00:00:00Z&to=2026-03-31T00:00:00Z');
    expect(range.body.shifts.find((s: { shiftId: string }) => s.shiftId === 'n-0328-2330')).toMatchObject({
      date: '2026-03-28',
    });
    // The per-agent totals count the day's shifts only: Prague's agent has two on the 29th.
    expect(day.body.agents.find((a: { agentId: string }) => a.agentId === byId.get('p-0328-2330').agentId).shifts).toBe(2);
  });

  it('siteId picks the agents of a site as of each shift’s start, in GET /v1/attendance and GET /v1/schedules', async () => {
    const { t, prague, kl } = await setup();
    const pragueDay = await t.admin.get(`/v1/attendance?date=2026-03-29&siteId=${prague.id}`);
    expect(ids(pragueDay.body.shifts)).toEqual(['m-0329-1000', 'p-0328-2330', 'p-0329-2130']);
    const klDay = await t.admin.get(`/v1/schedules?date=2026-03-29&siteId=${kl.id}`);
    expect(klDay.status, klDay.text).toBe(200);
    expect(ids(klDay.body.data)).toEqual(['k-0328-1630', 'k-0329-1559']);
    const klNext = await t.admin.get(`/v1/schedules?date=2026-03-30&siteId=${kl.id}`);
    expect(ids(klNext.body.data)).toEqual(['m-0329-1630']);
    const allDay = await t.admin.get('/v1/schedules?date=2026-03-28');
    expect(ids(allDay.body.data)).toEqual(['n-0328-2330']);
  });

  it("a site without a zone (or one whose zone is removed) counts its shifts in the tenant's", async () => {
    const { t, prague } = await setup();
    expect((await t.admin.patch(`/v1/sites/${prague.id}`, { timeZone: null })).status).toBe(200);
    const day = await t.admin.get(`/v1/attendance?date=2026-03-28&siteId=${prague.id}`);
    expect(day.body.shifts).toEqual([expect.objectContaining({ shiftId: 'p-0328-2330', date: '2026-03-28', timeZone: 'UTC' })]);
    // The tenant's zone moves too.
    expect((await t.admin.patch('/v1/settings', { timeZone: 'America/New_York' })).status).toBe(200);
    const ny = await t.admin.get(`/v1/attendance?date=2026-03-29&siteId=${prague.id}`);
    expect(ids(ny.body.shifts)).toEqual(['m-0329-1000', 'p-0329-2130', 'p-0329-2230']);
  });

  it('refuses a bad date, a date with a range, no range at all, an unknown site and a site zone that is not IANA', async () => {
    const { t } = await setup();
    const bad = await t.admin.get('/v1/attendance?date=2026-02-30');
    expectProblem(bad, 422, 'VALIDATION_FAILED');
    expect(bad.body.errors[0].pointer).toBe('/date');
    const both = await t.admin.get('/v1/attendance?date=2026-03-29&from=2026-03-29T00:00:00Z&to=2026-03-30T00:00:00Z');
    expectProblem(both, 422, 'VALIDATION_FAILED');
    expect(both.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/date']);
    const none = await t.admin.get('/v1/schedules');
    expectProblem(none, 422, 'VALIDATION_FAILED');
    expect(none.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/from', '/to']);
    const unknown = await t.admin.get('/v1/attendance?date=2026-03-29&siteId=sit_nope');
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].pointer).toBe('/siteId');
    const zone = await t.admin.post('/v1/sites', { name: 'Mars', timeZone: 'Mars/Olympus_Mons' });
    expectProblem(zone, 422, 'VALIDATION_FAILED');
    expect(zone.body.errors[0].pointer).toBe('/timeZone');
  });

  it("a team lead's key sees its team's shifts of the day only", async () => {
    const { t, prague, p } = await setup();
    const team = await createTeam(t, { siteId: prague.id });
    expect((await t.admin.patch(`/v1/agents/${p.id}`, { teamId: team.id, effectiveFrom: '2026-01-01T00:00:00Z' })).status).toBe(
      200,
    );
    const lead = await createKey(t, { scopes: ['read'], limit: { teamId: team.id } });
    const day = await lead.client.get('/v1/attendance?date=2026-03-29');
    expect(day.status, day.text).toBe(200);
    expect(ids(day.body.shifts)).toEqual(['p-0328-2330', 'p-0329-2130']);
    const list = await lead.client.get('/v1/schedules?date=2026-03-30');
    expect(ids(list.body.data)).toEqual(['p-0329-2230']);
  });
});
