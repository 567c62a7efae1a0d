import { describe, expect, it } from 'vitest';
import { createQueue, createTenant } from './factories';
import { call } from './helpers/api';

describe('smoke', () => {
  it('health and a tenant', async () => {
    const health = await call('GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok' });
    const t = await createTenant();
    const q = await createQueue(t);
    expect(q.id).toMatch(/^que_/);
  });
});
