import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, parsePlatformKeys } from '../src/lib/secret-box';
import { TEST_PLATFORM_KEYS } from './constants';
import { createAgent, createQueue, createTenant } from './factories';
import { call, expectProblem, platform } from './helpers/api';
import { asTenant } from './helpers/db';
import { at, settle } from './helpers/ingest';

const sign = (secret: string, body: string, id = `msg_${crypto.randomUUID()}`) => {
  const now = new Date();
  return { id, ts: String(Math.floor(now.getTime() / 1000)), sig: new Webhook(secret).sign(id, now, body) };
};

async function post(connectorId: string, secret: string, body: string) {
  const s = sign(secret, body);
  return call('POST', `/v1/webhooks/generic/${connectorId}`, {
    rawBody: body,
    headers: { 'Content-Type': 'application/json', 'webhook-id': s.id, 'webhook-timestamp': s.ts, 'webhook-signature': s.sig },
  });
}

const joined = (n: number, queueKey: string) =>
  JSON.stringify({
    events: [{ id: `j${n}-${crypto.randomUUID()}`, type: 'queue.joined', occurredAt: at(n), interactionId: `c${n}`, queueKey }],
  });

describe('connectors', () => {
  it('create, list, get, update, delete — the secret is shown once and stored sealed', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t);
    const created = await t.admin.post('/v1/connectors', {
      name: 'Forwarder',
      provider: 'generic',
      queueMappings: { '600': q.id },
      agentMappings: { '2001': a.id },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      enabled: true,
      unknownKeys: 'reject',
      queueMappings: { '600': q.id },
      previousSecretExpiresAt: null,
    });
    const id = created.body.id;
    const got = await t.admin.get(`/v1/connectors/${id}`);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.text).not.toContain(created.body.secret.slice(6));
    expect((await t.admin.get('/v1/connectors')).body.data.map((c: { id: string }) => c.id)).toEqual([id]);

    // Stored sealed: the row holds `v2.<iv>.<ciphertext>`, not the secret.
    const [row] = await asTenant(t.id, (q) => q('SELECT secret_sealed FROM connectors WHERE id = $1', [id]));
    expect(row.secret_sealed).toMatch(/^v2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(row.secret_sealed).not.toContain(created.body.secret.slice(6, 20));

    // The mapping routes key '600' to the queue.
    expect((await post(id, created.body.secret, joined(1, '600'))).body).toMatchObject({ accepted: 1 });

    const patched = await t.admin.patch(`/v1/connectors/${id}`, { name: 'Renamed', unknownKeys: 'create', queueMappings: {} });
    expect(patched.body).toMatchObject({ name: 'Renamed', unknownKeys: 'create', queueMappings: {} });
    const bad = expectProblem(
      await t.admin.patch(`/v1/connectors/${id}`, { queueMappings: { x: 'que_missing' } }),
      422,
      'VALIDATION_FAILED',
    );
    expect(bad.errors).toEqual([expect.objectContaining({ pointer: '/queueMappings/x' })]);

    expect((await t.admin.delete(`/v1/connectors/${id}`)).body).toEqual({ id, outcome: 'deleted' });
    expectProblem(await t.admin.get(`/v1/connectors/${id}`), 404, 'NOT_FOUND');
    expect([404]).toContain((await post(id, created.body.secret, joined(2, '600'))).status);
  });

  it('rotating the secret keeps the previous one valid for a grace period', async () => {
    const t = await createTenant();
    await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'q' }] });
    const c = (await t.admin.post('/v1/connectors', { name: 'X', provider: 'generic' })).body;
    const rotated = await t.admin.post(`/v1/connectors/${c.id}/rotate-secret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).not.toBe(c.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await post(c.id, rotated.body.secret, joined(1, 'q'))).status).toBe(200);
    expect((await post(c.id, c.secret, joined(2, 'q'))).status).toBe(200);
    const again = await t.admin.post(`/v1/connectors/${c.id}/rotate-secret`);
    // Two rotations later the first secret is gone.
    expectProblem(await post(c.id, c.secret, joined(3, 'q')), 401, 'SIGNATURE_INVALID');
    expect((await post(c.id, again.body.secret, joined(4, 'q'))).status).toBe(200);
  });

  it('re-seals secrets under the current platform key after a key rotation', async () => {
    const t = await createTenant();
    await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'q' }] });
    const c = (await t.admin.post('/v1/connectors', { name: 'Old', provider: 'generic' })).body;
    // Seal the secret under the older key version (1), as it was before the rotation.
    const oldOnly = parsePlatformKeys(TEST_PLATFORM_KEYS.split(',')[1]);
    const sealedV1 = await encryptSecret(oldOnly, c.secret, c.id);
    await asTenant(t.id, (q) => q('UPDATE connectors SET secret_sealed = $1 WHERE id = $2', [sealedV1, c.id]));
    expect((await platform.post(`/v1/tenants/${t.id}/resync`)).status).toBe(200);
    expect((await post(c.id, c.secret, joined(1, 'q'))).status).toBe(200); // v1 still opens

    // A delivery whose caller was masked keeps its exact body sealed: sealed under the old key too.
    const withCaller = JSON.stringify({
      events: [
        {
          id: `s-${crypto.randomUUID()}`,
          type: 'interaction.started',
          occurredAt: at(1),
          interactionId: 'c1',
          caller: '+420601234567',
        },
      ],
    });
    expect((await post(c.id, c.secret, withCaller)).status).toBe(200);
    await settle(t);
    const [delivery] = await asTenant(t.id, (q) =>
      q('SELECT id, body_sealed FROM connector_deliveries WHERE tenant_id = $1 AND body_sealed IS NOT NULL', [t.id]),
    );
    const aad = `delivery:${t.id}:${delivery.id}`;
    const exact = await decryptSecret(parsePlatformKeys(TEST_PLATFORM_KEYS), delivery.body_sealed, aad);
    expect(exact).toBe(withCaller);
    const bodyV1 = await encryptSecret(oldOnly, exact, aad);
    await asTenant(t.id, (q) => q('UPDATE connector_deliveries SET body_sealed = $1 WHERE id = $2', [bodyV1, delivery.id]));

    const res = await platform.post(`/v1/tenants/${t.id}/reencrypt`);
    expect(res.body).toEqual({
      tenantId: t.id,
      reencrypted: 1,
      total: 1,
      webhookEndpoints: { reencrypted: 0, total: 0 },
      deliveryBodies: { resealed: 1, remaining: 0 },
      database: { reencrypted: 0, total: 0 },
    });
    expect((await platform.post(`/v1/tenants/${t.id}/reencrypt`)).body).toMatchObject({
      reencrypted: 0,
      deliveryBodies: { resealed: 0, remaining: 0 },
    });
    expect((await post(c.id, c.secret, joined(2, 'q'))).status).toBe(200);
    // Only the current key is needed now, for the secret and for the delivery body.
    const currentOnly = parsePlatformKeys(TEST_PLATFORM_KEYS.split(',')[0]);
    const [after] = await asTenant(t.id, (q) => q('SELECT body_sealed FROM connector_deliveries WHERE id = $1', [delivery.id]));
    expect(await decryptSecret(currentOnly, after.body_sealed, aad)).toBe(withCaller);
  });
});

describe('provider credentials', () => {
  it('stores what the provider authenticates with, sealed, and shows only which are set', async () => {
    const t = await createTenant();
    const token = `tw-auth-token-${crypto.randomUUID()}`;
    const created = await t.admin.post('/v1/connectors', {
      name: 'Twilio main',
      provider: 'twilio',
      credentials: { authToken: token },
      options: { publicBaseUrl: 'https://callboard.example.com', activityStates: { Lunch: 'away' } },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      provider: 'twilio',
      credentials: ['authToken'],
      options: { publicBaseUrl: 'https://callboard.example.com', activityStates: { Lunch: 'away' } },
    });
    expect(created.body.secret).toBeUndefined();
    const got = await t.admin.get(`/v1/connectors/${created.body.id}`);
    expect(got.body.credentials).toEqual(['authToken']);
    expect(got.text).not.toContain(token);
    const [row] = await asTenant(t.id, (q) => q('SELECT secret_sealed FROM connectors WHERE id = $1', [created.body.id]));
    expect(row.secret_sealed).not.toContain(token);
    expect(row.secret_sealed).not.toContain(btoa(token).slice(0, 12));

    // New credentials replace the old ones; the previous keep verifying for the grace period.
    const patched = await t.admin.patch(`/v1/connectors/${created.body.id}`, { credentials: { authToken: `${token}-2` } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.previousSecretExpiresAt).not.toBeNull();
    expectProblem(await t.admin.post(`/v1/connectors/${created.body.id}/rotate-secret`), 422, 'VALIDATION_FAILED');
  });

  it.each([
    [{ provider: 'twilio', options: { publicBaseUrl: 'https://x.example' } }, ['/credentials']],
    [{ provider: 'twilio', credentials: { authToken: 'abcdefgh12' } }, ['/options/publicBaseUrl']],
    [
      { provider: 'plivo', credentials: { authToken: 'abcdefgh12' }, options: { publicBaseUrl: 'https://x.example' } },
      ['/options/timeZone'],
    ],
    [{ provider: 'telnyx', credentials: { signatureSecret: 'abcdefgh12' } }, ['/credentials']],
    [{ provider: 'amazon-connect', credentials: { basicUsername: 'aws' } }, ['/credentials']],
    [{ provider: 'generic', credentials: { authToken: 'abcdefgh12' } }, ['/credentials']],
    [{ provider: 'asterisk', credentials: { apiKey: 'abcdefgh12' } }, ['/credentials']],
  ])('refuses %j without what the provider needs', async (body, pointers) => {
    const t = await createTenant();
    const res = expectProblem(await t.admin.post('/v1/connectors', { name: 'c', ...body }), 422, 'VALIDATION_FAILED');
    expect(res.errors?.map((e) => e.pointer)).toEqual(pointers);
  });
});
