import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_SETTINGS } from '../src/domain/settings';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createKey, createTenant, unique } from './factories';
import { call, client, expectProblem, platform } from './helpers/api';
import { env } from './helpers/env';

describe('tenants (platform operator)', () => {
  it('needs the platform token', async () => {
    expectProblem(await call('POST', '/v1/tenants', { body: { name: 'x' } }), 401, 'UNAUTHENTICATED');
    expectProblem(await call('POST', '/v1/tenants', { token: 'not-the-token', body: { name: 'x' } }), 401, 'INVALID_CREDENTIALS');
    const t = await createTenant();
    // A tenant's own admin key is not the platform token.
    expectProblem(await t.admin.post('/v1/tenants', { name: 'x' }), 401, 'INVALID_CREDENTIALS');
  });

  it('creates a tenant with default settings and a working admin key shown once', async () => {
    const name = unique('Acme');
    const res = await platform.post('/v1/tenants', { name });
    expect(res.status).toBe(201);
    const { tenant, apiKey } = res.body;
    expect(tenant).toMatchObject({ name, settings: DEFAULT_TENANT_SETTINGS });
    expect(tenant.id).toMatch(/^tnt_[0-9a-z]{26}$/);
    expect(res.headers.get('Location')).toBe(`/v1/tenants/${tenant.id}`);
    expect(apiKey.key).toMatch(new RegExp(`^cbk_${tenant.id}_[0-9A-Za-z]{48}$`));
    expect(apiKey.scopes).toEqual(['admin']);

    const admin = client(apiKey.key);
    expect((await admin.get('/v1/settings')).body).toEqual(DEFAULT_TENANT_SETTINGS);
    const listed = await admin.get('/v1/api-keys');
    expect(listed.body.data).toHaveLength(1);
    expect(listed.text).not.toContain(apiKey.key);
    expect(listed.body.data[0]).toMatchObject({ id: apiKey.id, prefix: apiKey.key.slice(0, apiKey.prefix.length) });

    const got = await platform.get(`/v1/tenants/${tenant.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(tenant);
  });

  it('accepts initial settings and validates them', async () => {
    const t = await createTenant({ settings: { timeZone: 'Europe/Prague', serviceLevel: { thresholdSeconds: 30 } } });
    expect(t.created.tenant.settings.timeZone).toBe('Europe/Prague');
    expect(t.created.tenant.settings.serviceLevel.thresholdSeconds).toBe(30);
    expect(t.created.tenant.settings.serviceLevel.targetPercent).toBe(80);

    const bad = expectProblem(
      await platform.post('/v1/tenants', { name: 'x', settings: { timeZone: 'Mars/Base' } }),
      422,
      'VALIDATION_FAILED',
    );
    expect(bad.errors).toContainEqual(expect.objectContaining({ in: 'body', pointer: '/settings/timeZone' }));
  });

  it('writes the hot-path configuration to the tenant Durable Object', async () => {
    const t = await createTenant();
    const config = await runInDurableObject(tenantStub(env, t.id), (instance) => instance.getConfig());
    expect(config).toMatchObject({ tenantId: t.id, settings: DEFAULT_TENANT_SETTINGS });
  });

  it('404s unknown and malformed tenant ids', async () => {
    expectProblem(await platform.get('/v1/tenants/tnt_00000000000000000000000000'), 404, 'NOT_FOUND');
    expectProblem(await platform.get('/v1/tenants/whatever'), 404, 'NOT_FOUND');
  });

  it('lets the operator issue a key to recover a tenant', async () => {
    const t = await createTenant();
    await t.admin.delete(`/v1/api-keys/${t.created.apiKey.id}`);
    expectProblem(await t.admin.get('/v1/settings'), 401, 'API_KEY_REVOKED');
    const res = await platform.post(`/v1/tenants/${t.id}/api-keys`, { name: 'recovery', scopes: ['admin'] });
    expect(res.status).toBe(201);
    expect((await client(res.body.key).get('/v1/settings')).status).toBe(200);
    const keys = await client(res.body.key).get('/v1/api-keys?includeRevoked=true');
    expect(keys.body.data.map((k: { name: string }) => k.name)).toEqual(['Initial admin key', 'recovery']);
  });

  it('resyncs the Durable Object from Postgres', async () => {
    const t = await createTenant();
    const reader = await createKey(t, { scopes: ['read'] });
    const stub = tenantStub(env, t.id);
    // Simulate a lost Durable Object configuration.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('DELETE FROM api_keys');
    });
    expectProblem(await t.admin.get('/v1/settings'), 401, 'INVALID_CREDENTIALS');
    const res = await platform.post(`/v1/tenants/${t.id}/resync`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId: t.id, apiKeys: 2 });
    expect((await t.admin.get('/v1/settings')).status).toBe(200);
    expect((await reader.client.get('/v1/settings')).status).toBe(200);
  });

  it('leaves nothing half-written when the Durable Object side of a change fails', async () => {
    const t = await createTenant();
    const stub = tenantStub(env, t.id);
    // Break the tenant's Durable Object storage so that adding a key fails there.
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec('ALTER TABLE api_keys RENAME TO api_keys_broken');
    });
    const failed = await platform.post(`/v1/tenants/${t.id}/api-keys`, { name: 'doomed', scopes: ['read'] });
    expectProblem(failed, 500, 'INTERNAL_ERROR');
    expect(failed.text).not.toContain('api_keys');
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec('ALTER TABLE api_keys_broken RENAME TO api_keys');
    });
    // The Postgres insert was rolled back with it.
    const keys = await t.admin.get('/v1/api-keys?includeRevoked=true');
    expect(keys.body.data.map((k: { name: string }) => k.name)).toEqual(['Initial admin key']);
  });
});
