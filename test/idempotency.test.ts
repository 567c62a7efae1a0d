import { describe, expect, it } from 'vitest';
import { createTenant, unique } from './factories';
import { expectProblem, platform } from './helpers/api';

const key = () => `idem-${crypto.randomUUID()}`;

describe('Idempotency-Key', () => {
  it('replays the first response for the same request', async () => {
    const t = await createTenant();
    const k = key();
    const body = { name: unique('Sales') };
    const first = await t.admin.post('/v1/queues', body, { headers: { 'Idempotency-Key': k } });
    expect(first.status).toBe(201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    const second = await t.admin.post('/v1/queues', body, { headers: { 'Idempotency-Key': k } });
    expect(second.status).toBe(201);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('Location')).toBe(first.headers.get('Location'));
    expect(second.headers.get('X-Request-Id')).not.toBe(first.headers.get('X-Request-Id'));
    const list = await t.admin.get('/v1/queues');
    expect(list.body.data).toHaveLength(1);
  });

  it('answers 409 when the key is reused for a different body or path', async () => {
    const t = await createTenant();
    const k = key();
    expect((await t.admin.post('/v1/queues', { name: 'A' }, { headers: { 'Idempotency-Key': k } })).status).toBe(201);
    expectProblem(
      await t.admin.post('/v1/queues', { name: 'B' }, { headers: { 'Idempotency-Key': k } }),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expectProblem(
      await t.admin.post('/v1/sites', { name: 'A' }, { headers: { 'Idempotency-Key': k } }),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect((await t.admin.get('/v1/queues')).body.data.map((q: { name: string }) => q.name)).toEqual(['A']);
    expect((await t.admin.get('/v1/sites')).body.data).toHaveLength(0);
  });

  it('does not burn the key on a failed request', async () => {
    const t = await createTenant();
    const k = key();
    expectProblem(
      await t.admin.post('/v1/queues', { name: '' }, { headers: { 'Idempotency-Key': k } }),
      422,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.admin.post('/v1/queues', { name: '' }, { headers: { 'Idempotency-Key': k } }),
      422,
      'VALIDATION_FAILED',
    );
    expect((await t.admin.post('/v1/queues', { name: 'Fixed' }, { headers: { 'Idempotency-Key': k } })).status).toBe(201);
  });

  it('applies to PATCH too, and keys are per tenant', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const k = key();
    const q = await a.admin.post('/v1/queues', { name: 'Q' });
    const p1 = await a.admin.patch(`/v1/queues/${q.body.id}`, { name: 'Q2' }, { headers: { 'Idempotency-Key': k } });
    const p2 = await a.admin.patch(`/v1/queues/${q.body.id}`, { name: 'Q2' }, { headers: { 'Idempotency-Key': k } });
    expect(p2.headers.get('Idempotent-Replayed')).toBe('true');
    expect(p2.body.updatedAt).toBe(p1.body.updatedAt);
    // Another tenant's use of the same key string is its own request.
    const other = await b.admin.post('/v1/queues', { name: 'Q' }, { headers: { 'Idempotency-Key': k } });
    expect(other.status).toBe(201);
    expect(other.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it('protects tenant creation from double submits', async () => {
    const k = key();
    const body = { name: unique('Once') };
    const first = await platform.post('/v1/tenants', body, { headers: { 'Idempotency-Key': k } });
    const second = await platform.post('/v1/tenants', body, { headers: { 'Idempotency-Key': k } });
    expect(first.status).toBe(201);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    expect(second.body.tenant.id).toBe(first.body.tenant.id);
  });

  it('rejects an unusable key', async () => {
    const t = await createTenant();
    expectProblem(
      await t.admin.post('/v1/queues', { name: 'Q' }, { headers: { 'Idempotency-Key': 'x'.repeat(256) } }),
      400,
      'BAD_REQUEST',
    );
    expect((await t.admin.get('/v1/queues')).body.data).toHaveLength(0);
  });
});
