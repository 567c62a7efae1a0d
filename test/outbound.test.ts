import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { outboundStub } from '../src/durable-objects/outbound/outbound.client';
import { createKey, createTenant, type TestTenant } from './factories';
import { call, expectProblem, platform } from './helpers/api';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';

interface Check {
  allowed: boolean;
  reason: string | null;
  nextAllowedAt: string | null;
  recorded: boolean;
  timeZones: string[];
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// Monday 15 June 2026, 11:00 in New York (EDT, UTC-4).
const MONDAY_11_NY = '2026-06-15T15:00:00Z';

async function campaign(t: TestTenant, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.admin.post('/v1/outbound/campaigns', {
    name: 'Renewals',
    windows: [{ days: WEEKDAYS, start: '09:00', end: '20:00' }],
    ...body,
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

const check = (t: TestTenant, body: Record<string, unknown>) => t.admin.post<Check>('/v1/outbound/check', body);

describe('outbound campaigns', () => {
  it('are created with defaults, read, changed, listed and archived; checks follow every change', async () => {
    const t = await createTenant();
    const created = await t.admin.post('/v1/outbound/campaigns', {
      name: 'Renewals',
      windows: [{ days: ['mon', 'tue'], start: '09:00', end: '17:30' }],
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Renewals',
      timeZone: null,
      caps: { perDay: null, perWeek: null, perCampaign: null },
      minGapMinutes: 0,
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^cmp_/);
    expect(created.headers.get('Location')).toBe(`/v1/outbound/campaigns/${id}`);
    expect((await t.admin.get(`/v1/outbound/campaigns/${id}`)).body).toEqual(created.body);

    // 18:00 in New York on a Monday: after the window.
    const late = await check(t, { campaignId: id, number: '+1 212 555 0100', at: '2026-06-15T22:00:00Z' });
    expect(late.body).toMatchObject({ allowed: false, reason: 'outside_window', nextAllowedAt: '2026-06-16T13:00:00.000Z' });

    const patched = await t.admin.patch(`/v1/outbound/campaigns/${id}`, {
      windows: [{ days: ['mon'], start: '09:00', end: '19:00' }],
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.name).toBe('Renewals');
    expect((await check(t, { campaignId: id, number: '+1 212 555 0100', at: '2026-06-15T22:00:00Z' })).body.allowed).toBe(true);

    const list = await t.admin.get('/v1/outbound/campaigns');
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([id]);

    expect((await t.admin.delete(`/v1/outbound/campaigns/${id}`)).body).toEqual({ id, outcome: 'archived' });
    expectProblem(await check(t, { campaignId: id, number: '+1 212 555 0100' }), 404, 'NOT_FOUND');
    expectProblem(await t.admin.get(`/v1/outbound/campaigns/${id}`), 404, 'NOT_FOUND');
  });

  it('refuses a bad policy with pointers and writes nothing; another tenant’s campaign is not found', async () => {
    const t = await createTenant();
    const bad = await t.admin.post('/v1/outbound/campaigns', {
      name: 'Bad',
      windows: [{ days: ['mon'], start: '18:00', end: '09:00' }],
    });
    const problem = expectProblem(bad, 422, 'VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['/windows/0/end']);
    const zone = await t.admin.post('/v1/outbound/campaigns', {
      name: 'Bad',
      windows: [{ days: ['funday'], start: '25:00', end: '09:00' }],
      timeZone: 'Mars/Olympus',
    });
    const zp = expectProblem(zone, 422, 'VALIDATION_FAILED');
    expect(zp.errors?.map((e) => e.pointer).sort()).toEqual(['/timeZone', '/windows/0/days/0', '/windows/0/start']);
    expect((await t.admin.get('/v1/outbound/campaigns')).body.data).toEqual([]);

    const other = await createTenant();
    const theirs = await campaign(other);
    expectProblem(await t.admin.get(`/v1/outbound/campaigns/${theirs}`), 404, 'NOT_FOUND');
    expectProblem(await check(t, { campaignId: theirs, number: '+1 212 555 0100' }), 404, 'NOT_FOUND');
  });
});

describe('POST /v1/outbound/check', () => {
  it('judges the window in the zone of the number’s area code, and in every zone where it spans two', async () => {
    const t = await createTenant();
    const id = await campaign(t);
    // 08:00 in Los Angeles and 11:00 in New York at the same instant.
    const ny = await check(t, { campaignId: id, number: '+1 (212) 555-0100', at: MONDAY_11_NY });
    expect(ny.body).toEqual({
      allowed: true,
      reason: null,
      nextAllowedAt: '2026-06-15T15:00:00.000Z',
      recorded: false,
      timeZones: ['America/New_York'],
    });
    const la = await check(t, { campaignId: id, number: '+1 213 555 0100', at: MONDAY_11_NY });
    expect(la.body).toMatchObject({ allowed: false, reason: 'outside_window', nextAllowedAt: '2026-06-15T16:00:00.000Z' });
    expect(la.body.timeZones).toEqual(['America/Los_Angeles']);
    // Alaska's 907 spans Anchorage and Adak (an hour behind): 09:00 in Anchorage is not enough.
    const ak = await check(t, { campaignId: id, number: '+1 907 555 0100', at: '2026-06-15T17:00:00Z' });
    expect(ak.body).toMatchObject({ allowed: false, reason: 'outside_window', nextAllowedAt: '2026-06-15T18:00:00.000Z' });
    expect(ak.body.timeZones.sort()).toEqual(['America/Adak', 'America/Anchorage']);
    // A country of one zone, by its country code.
    const cz = await check(t, { campaignId: id, number: '+420 601 234 567', at: '2026-06-15T06:30:00Z' });
    expect(cz.body).toMatchObject({
      allowed: false,
      reason: 'outside_window',
      nextAllowedAt: '2026-06-15T07:00:00.000Z',
      timeZones: ['Europe/Prague'],
    });
    // An explicit zone wins: on the check, or on the campaign.
    const told = await check(t, { campaignId: id, number: '+1 213 555 0100', at: MONDAY_11_NY, timeZone: 'America/Chicago' });
    expect(told.body).toMatchObject({ allowed: true, timeZones: ['America/Chicago'] });
    const fixed = await campaign(t, { timeZone: 'Asia/Tokyo' });
    expect((await check(t, { campaignId: fixed, number: '+1 212 555 0100', at: MONDAY_11_NY })).body).toMatchObject({
      allowed: false,
      reason: 'outside_window',
      timeZones: ['Asia/Tokyo'],
    });
  });

  it('follows the callee’s clock across a DST change (New York, 8 March 2026)', async () => {
    const t = await createTenant();
    const id = await campaign(t);
    // Saturday 08:30 EST is 13:30Z; Sunday 09:00 is EDT, 13:00Z.
    const sat = await check(t, { campaignId: id, number: '+1 212 555 0100', at: '2026-03-07T13:30:00Z' });
    expect(sat.body).toMatchObject({ allowed: false, nextAllowedAt: '2026-03-07T14:00:00.000Z' });
    const sun = await check(t, { campaignId: id, number: '+1 212 555 0100', at: '2026-03-08T13:00:00Z' });
    expect(sun.body.allowed).toBe(true);
  });

  it('counts recorded attempts exactly under concurrent checks of one number', async () => {
    const t = await createTenant();
    const id = await campaign(t, { caps: { perDay: 3, perWeek: 10 } });
    const number = '+1 212 555 0101';
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => check(t, { campaignId: id, number, at: MONDAY_11_NY, record: true })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.allowed && a.body.recorded)).toHaveLength(3);
    const refused = answers.filter((a) => !a.body.allowed);
    expect(refused).toHaveLength(21);
    // Released 24 hours after the first of the three: Tuesday 11:00 in New York.
    expect(new Set(refused.map((a) => `${a.body.reason} ${a.body.nextAllowedAt}`))).toEqual(
      new Set(['daily_cap 2026-06-16T15:00:00.000Z']),
    );
    // The same number written another way is the same number; a check without record counts nothing.
    const again = await check(t, { campaignId: id, number: '+12125550101', at: MONDAY_11_NY });
    expect(again.body).toMatchObject({ allowed: false, reason: 'daily_cap', recorded: false });
    // Another number is untouched.
    expect((await check(t, { campaignId: id, number: '+1 212 555 0102', at: MONDAY_11_NY })).body.allowed).toBe(true);
    // Caps per day count every campaign's attempts to the number; the per-campaign cap only its own.
    const other = await campaign(t, { caps: { perDay: 3, perCampaign: 1 } });
    expect((await check(t, { campaignId: other, number, at: MONDAY_11_NY })).body.reason).toBe('daily_cap');
    const tue = '2026-06-16T16:00:00Z';
    expect((await check(t, { campaignId: other, number, at: tue, record: true })).body).toMatchObject({
      allowed: true,
      recorded: true,
    });
    expect((await check(t, { campaignId: other, number, at: '2026-06-17T16:00:00Z' })).body).toEqual({
      allowed: false,
      reason: 'campaign_cap',
      nextAllowedAt: null,
      recorded: false,
      timeZones: ['America/New_York'],
    });
  });

  it('keeps the minimum gap after a recorded attempt; a retried record with its Idempotency-Key counts once', async () => {
    const t = await createTenant();
    const id = await campaign(t, { minGapMinutes: 120, caps: { perCampaign: 2 } });
    const number = '+1 212 555 0103';
    const body = { campaignId: id, number, at: MONDAY_11_NY, record: true };
    const first = await t.admin.post<Check>('/v1/outbound/check', body, { headers: { 'Idempotency-Key': 'attempt-1' } });
    expect(first.body.recorded).toBe(true);
    const retried = await t.admin.post<Check>('/v1/outbound/check', body, { headers: { 'Idempotency-Key': 'attempt-1' } });
    expect(retried.body).toEqual(first.body);
    const soon = await check(t, { campaignId: id, number, at: '2026-06-15T16:00:00Z' });
    expect(soon.body).toMatchObject({ allowed: false, reason: 'min_gap', nextAllowedAt: '2026-06-15T17:00:00.000Z' });
    // One attempt of two in the campaign: a second, after the gap, is still allowed.
    expect((await check(t, { ...body, at: '2026-06-15T17:00:00Z' })).body).toMatchObject({ allowed: true, recorded: true });
    expect((await check(t, { campaignId: id, number, at: '2026-06-15T20:00:00Z' })).body.reason).toBe('campaign_cap');
  });

  it('refuses an invalid number with a pointer; the dialer’s ingest key may check, a read key may not', async () => {
    const t = await createTenant();
    const id = await campaign(t);
    const bad = expectProblem(await check(t, { campaignId: id, number: '+1 555' }), 422, 'VALIDATION_FAILED');
    expect(bad.errors?.[0]?.pointer).toBe('/number');
    const dialer = await createKey(t, { scopes: ['ingest'] });
    const ok = await dialer.client.post('/v1/outbound/check', { campaignId: id, number: '+1 212 555 0100', at: MONDAY_11_NY });
    expect(ok.status, ok.text).toBe(200);
    const reader = await createKey(t, { scopes: ['read'] });
    expect((await reader.client.post('/v1/outbound/check', { campaignId: id, number: '+1 212 555 0100' })).status).toBe(403);
  });
});

describe('do-not-call list and quiet days', () => {
  it('takes numbers in bulk, all or nothing, stores them hashed and masked, and refuses them at the check', async () => {
    const t = await createTenant();
    const id = await campaign(t);
    const bad = await t.admin.post('/v1/outbound/do-not-call', { numbers: ['+1 212 555 0110', 'call me', '+420 601 234 567'] });
    expect(expectProblem(bad, 422, 'VALIDATION_FAILED').errors?.map((e) => e.pointer)).toEqual(['/numbers/1']);
    expect((await t.admin.get('/v1/outbound/do-not-call')).body.data).toEqual([]);

    const added = await t.admin.post('/v1/outbound/do-not-call', {
      numbers: ['+1 212 555 0110', '+420 601 234 567', '+12125550110'],
    });
    expect(added.body).toEqual({ changed: 2, unchanged: 1 });
    expect((await t.admin.post('/v1/outbound/do-not-call', { numbers: ['+420601234567'] })).body).toEqual({
      changed: 0,
      unchanged: 1,
    });
    const list = await t.admin.get('/v1/outbound/do-not-call');
    expect(list.body.data).toHaveLength(2);
    expect(list.text).not.toContain('5550110');
    expect(list.text).not.toContain('601234567');
    const stored = await asTenant(t.id, (q) => q('SELECT number_hash, masked FROM outbound_do_not_call'));
    expect(stored).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toMatch(/5550110|601234567|601 234/);

    const refused = await check(t, { campaignId: id, number: '+1-212-555-0110', at: MONDAY_11_NY, record: true });
    expect(refused.body).toMatchObject({ allowed: false, reason: 'do_not_call', nextAllowedAt: null, recorded: false });

    expect((await t.admin.post('/v1/outbound/do-not-call/remove', { numbers: ['+1 212 555 0110'] })).body).toEqual({
      changed: 1,
      unchanged: 0,
    });
    expect((await check(t, { campaignId: id, number: '+1 212 555 0110', at: MONDAY_11_NY })).body.allowed).toBe(true);
  });

  it('keeps quiet days in the callee’s local date, replaced whole', async () => {
    const t = await createTenant();
    const id = await campaign(t);
    const put = (body: unknown) => call('PUT', '/v1/outbound/quiet-days', { token: t.adminKey, body });
    const set = await put({ days: [{ date: '2026-12-25', name: 'Christmas' }, { date: '2026-12-24' }] });
    expect(set.status, set.text).toBe(200);
    expect((await t.admin.get('/v1/outbound/quiet-days')).body).toEqual({
      days: [
        { date: '2026-12-24', name: null },
        { date: '2026-12-25', name: 'Christmas' },
      ],
    });
    // 10:00 on the 25th in Tokyo; the same instant is 20:00 on the 24th in New York.
    const tokyo = await check(t, { campaignId: id, number: '+81 3 1234 5678', at: '2026-12-25T01:00:00Z' });
    expect(tokyo.body).toMatchObject({ allowed: false, reason: 'quiet_day', nextAllowedAt: '2026-12-26T00:00:00.000Z' });
    expect(tokyo.body.timeZones).toEqual(['Asia/Tokyo']);
    const dup = expectProblem(await put({ days: [{ date: '2026-12-25' }, { date: '2026-12-25' }] }), 422, 'VALIDATION_FAILED');
    expect(dup.errors?.[0]?.pointer).toBe('/days');
    expect((await put({ days: [{ date: '2026-12-24' }] })).status).toBe(200);
    expect((await check(t, { campaignId: id, number: '+81 3 1234 5678', at: '2026-12-25T01:00:00Z' })).body.allowed).toBe(true);
  });
});

describe('the OutboundDO', () => {
  it('creates no storage for a tenant without campaigns, and a resync rebuilds its mirror from Postgres', async () => {
    const empty = await createTenant();
    expectProblem(await check(empty, { campaignId: 'cmp_none', number: '+1 212 555 0100' }), 404, 'NOT_FOUND');
    await runInDurableObject(outboundStub(env, empty.id), (_i, state) => {
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'campaigns'").toArray()).toEqual([]);
    });

    const t = await createTenant();
    const id = await campaign(t);
    await t.admin.post('/v1/outbound/do-not-call', { numbers: ['+1 212 555 0120'] });
    // The mirror lost (a restore, an undo that itself failed): the check no longer knows the campaign.
    await runInDurableObject(outboundStub(env, t.id), (instance, state) => {
      state.storage.sql.exec('DELETE FROM campaigns');
      state.storage.sql.exec('DELETE FROM do_not_call');
      (instance as unknown as { store: { putCampaign(id: string, p: null): void } }).store.putCampaign(id, null);
    });
    expectProblem(await check(t, { campaignId: id, number: '+1 212 555 0120', at: MONDAY_11_NY }), 404, 'NOT_FOUND');
    const resync = await platform.post(`/v1/tenants/${t.id}/resync`);
    expect(resync.status, resync.text).toBe(200);
    expect((await check(t, { campaignId: id, number: '+1 212 555 0120', at: MONDAY_11_NY })).body.reason).toBe('do_not_call');
  });
});
