import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createKey, createTenant } from './factories';
import { call, client, expectProblem } from './helpers/api';
import { env } from './helpers/env';

describe('API keys', () => {
  it('go through their lifecycle: create, use, list, get, revoke', async () => {
    const t = await createTenant();
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const reader = await createKey(t, {
      name: 'wallboard',
      scopes: ['read'],
      expiresAt,
      rateLimit: { limit: 50, windowSeconds: 10 },
    });
    expect(reader).toMatchObject({
      name: 'wallboard',
      scopes: ['read'],
      expiresAt,
      revokedAt: null,
      rateLimit: { limit: 50, windowSeconds: 10 },
    });

    const ok = await reader.client.get('/v1/queues');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('RateLimit-Limit')).toBe('50');

    const got = await t.admin.get(`/v1/api-keys/${reader.id}`);
    expect(got.body).not.toHaveProperty('key');
    expect(got.text).not.toContain(reader.key);
    expect(got.body).toMatchObject({ id: reader.id, prefix: reader.prefix });

    const revoked = await t.admin.delete(`/v1/api-keys/${reader.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expectProblem(await reader.client.get('/v1/queues'), 401, 'API_KEY_REVOKED');

    // Revoking twice keeps the first time; revoked keys leave the default list.
    const again = await t.admin.delete(`/v1/api-keys/${reader.id}`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    const list = await t.admin.get('/v1/api-keys');
    expect(list.body.data.map((k: { id: string }) => k.id)).not.toContain(reader.id);
    const all = await t.admin.get('/v1/api-keys?includeRevoked=true');
    expect(all.body.data.map((k: { id: string }) => k.id)).toContain(reader.id);
  });

  it('enforce scopes: read reads, ingest only ingests, admin does everything', async () => {
    const t = await createTenant();
    const reader = await createKey(t, { scopes: ['read'] });
    const ingester = await createKey(t, { scopes: ['ingest'] });
    expect((await reader.client.get('/v1/queues')).status).toBe(200);
    expect((await reader.client.get('/v1/settings')).status).toBe(200);
    expectProblem(await reader.client.post('/v1/queues', { name: 'x' }), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await reader.client.get('/v1/api-keys'), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await reader.client.post('/v1/api-keys', { name: 'x', scopes: ['admin'] }), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await ingester.client.get('/v1/queues'), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await ingester.client.patch('/v1/settings', {}), 403, 'INSUFFICIENT_SCOPE');
    expect((await t.admin.get('/v1/queues')).status).toBe(200);
  });

  it('answer 401 for missing, malformed, unknown and expired keys', async () => {
    const t = await createTenant();
    const missing = await call('GET', '/v1/queues');
    expectProblem(missing, 401, 'UNAUTHENTICATED');
    expect(missing.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expectProblem(await client('nope').get('/v1/queues'), 401, 'INVALID_CREDENTIALS');
    expectProblem(
      await call('GET', '/v1/queues', { headers: { Authorization: `Basic ${btoa('a:b')}` } }),
      401,
      'UNAUTHENTICATED',
    );
    // Right shape, right tenant, wrong secret.
    const forged = `${t.adminKey.slice(0, -6)}AAAAAA`;
    expectProblem(await client(forged).get('/v1/queues'), 401, 'INVALID_CREDENTIALS');
    // A tenant that does not exist.
    expectProblem(
      await client(`cbk_tnt_00000000000000000000000000_${'a'.repeat(48)}`).get('/v1/queues'),
      401,
      'INVALID_CREDENTIALS',
    );

    const soon = await createKey(t, { scopes: ['read'], expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect((await soon.client.get('/v1/queues')).status).toBe(200);
    // Let the key's hour pass inside the Durable Object instead of sleeping.
    await runInDurableObject(tenantStub(env, t.id), (_i, state) => {
      state.storage.sql.exec('UPDATE api_keys SET expires_at = ? WHERE id = ?', Date.now() - 1000, soon.id);
    });
    expectProblem(await soon.client.get('/v1/queues'), 401, 'API_KEY_EXPIRED');
  });

  it('refuse an expiry in the past and invalid scopes', async () => {
    const t = await createTenant();
    const past = expectProblem(
      await t.admin.post('/v1/api-keys', { name: 'x', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' }),
      422,
      'VALIDATION_FAILED',
    );
    expect(past.errors).toEqual([expect.objectContaining({ pointer: '/expiresAt' })]);
    const scopes = expectProblem(
      await t.admin.post('/v1/api-keys', { name: 'x', scopes: ['root', 'read', 'read'] }),
      422,
      'VALIDATION_FAILED',
    );
    expect(scopes.errors?.map((e) => e.pointer)).toContain('/scopes/0');
    expectProblem(await t.admin.post('/v1/api-keys', { name: 'x', scopes: [] }), 422, 'VALIDATION_FAILED');
  });

  it('are rate limited per key with 429 and Retry-After', async () => {
    const t = await createTenant();
    const limited = await createKey(t, { scopes: ['read'], rateLimit: { limit: 3, windowSeconds: 3600 } });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await limited.client.get('/v1/settings');
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('RateLimit-Remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const res = await limited.client.get('/v1/settings');
    expectProblem(res, 429, 'RATE_LIMITED');
    const retryAfter = Number(res.headers.get('Retry-After'));
    // One token comes back every 3600/3 = 1200 s.
    expect(retryAfter).toBeGreaterThan(1100);
    expect(retryAfter).toBeLessThanOrEqual(1200);
    // Other keys of the tenant have their own buckets.
    expect((await t.admin.get('/v1/settings')).status).toBe(200);
  });
});
