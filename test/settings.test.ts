import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_SETTINGS } from '../src/domain/settings';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createKey, createQueue, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { env } from './helpers/env';
import { callId, sendEvents } from './helpers/ingest';

describe('tenant settings', () => {
  it('merge a partial change and reach the tenant Durable Object in the same request', async () => {
    const t = await createTenant();
    const res = await t.admin.patch('/v1/settings', {
      timeZone: 'America/New_York',
      serviceLevel: { thresholdSeconds: 30, excludeShortAbandons: false },
      fcrWindowHours: 48,
      staleVisitMinutes: 60,
    });
    const expected = {
      ...DEFAULT_TENANT_SETTINGS,
      timeZone: 'America/New_York',
      serviceLevel: { ...DEFAULT_TENANT_SETTINGS.serviceLevel, thresholdSeconds: 30, excludeShortAbandons: false },
      fcrWindowHours: 48,
      staleVisitMinutes: 60,
    };
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
    expect((await t.admin.get('/v1/settings')).body).toEqual(expected);
    const config = await runInDurableObject(tenantStub(env, t.id), (instance) => instance.getConfig());
    expect(config?.settings).toEqual(expected);
  });

  it('reach every queue when they change: its stale sweep and its day use them without a new event', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const id = callId();
    // A minute ago, so that it is today in Prague too (midnight UTC + 1 s is yesterday there from 23:00 UTC on).
    const joined = new Date(Date.now() - 60_000).toISOString();
    await sendEvents(ingest.client, [
      { id: `${id}:join`, type: 'queue.joined', occurredAt: joined, interactionId: id, queueId: q.id },
    ]);
    expect((await t.admin.patch('/v1/settings', { staleVisitMinutes: 5, timeZone: 'Europe/Prague' })).status).toBe(200);

    // Six minutes of silence (the default 240 would keep the visit open), without waiting: the last arrival moves back.
    const stub = queueStub(env, t.id, q.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec('UPDATE interactions SET last_received_at = last_received_at - ?', 6 * 60_000);
    });
    await runDurableObjectAlarm(stub);
    const live = (await t.admin.get(`/v1/queues/${q.id}/live`)).body;
    expect(live).toMatchObject({ waiting: 0, today: { timeZone: 'Europe/Prague', unknown: 1 } });
  });

  it('reach a queue when it is created, before its first event', async () => {
    const t = await createTenant({ settings: { timeZone: 'America/New_York' } });
    const q = await createQueue(t);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today.timeZone).toBe('America/New_York');
  });

  it('are validated field by field and readable with a read key', async () => {
    const t = await createTenant();
    const bad = expectProblem(
      await t.admin.patch('/v1/settings', {
        timeZone: 'Nowhere/City',
        serviceLevel: { targetPercent: 120 },
        shortAbandonSeconds: 3,
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(bad.errors?.map((e) => e.pointer).sort()).toEqual([
      '/serviceLevel/targetPercent',
      '/shortAbandonSeconds',
      '/timeZone',
    ]);
    expect((await t.admin.get('/v1/settings')).body).toEqual(DEFAULT_TENANT_SETTINGS);
    const reader = await createKey(t, { scopes: ['read'] });
    expect((await reader.client.get('/v1/settings')).status).toBe(200);
  });
});
