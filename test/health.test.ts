import { describe, expect, it } from 'vitest';
import { call } from './helpers/api';

describe('GET /health', () => {
  it('touches Postgres and the Durable Objects and reports both', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      postgres: { status: 'ok', latencyMs: expect.any(Number) },
      durableObjects: { status: 'ok', latencyMs: expect.any(Number) },
    });
  });
});
