import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_SETTINGS } from '../src/domain/settings';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createKey, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { env } from './helpers/env';

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
