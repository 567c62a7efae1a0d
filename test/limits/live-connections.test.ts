import { describe, expect, it } from 'vitest';
import { createTenant } from '../factories';
import { expectStreamRefused, openStream } from '../helpers/live';

// This project's Worker lets a tenant hold 2 live connections (LIVE_MAX_CONNECTIONS, vitest.config.ts).
describe('live connections per tenant', () => {
  it('refuses one more than the limit with a 429 problem and Retry-After, per tenant; a closed one makes room', async () => {
    const t = await createTenant();
    const other = await createTenant();
    const a = await openStream('', t.adminKey);
    const b = await openStream('', t.adminKey);
    await a.next((m) => m.type === 'hello');
    await b.next((m) => m.type === 'hello');
    const res = await expectStreamRefused('', t.adminKey, 429, 'TOO_MANY_CONNECTIONS');
    expect(res.headers.get('Retry-After')).toBe('30');
    // Another tenant's hub has its own count.
    const c = await openStream('', other.adminKey);
    expect((await c.next((m) => m.type === 'hello')).tenantId).toBe(other.id);
    a.close();
    await a.closed;
    await expect
      .poll(async () => {
        try {
          const d = await openStream('', t.adminKey);
          d.close();
          return true;
        } catch {
          return false;
        }
      })
      .toBe(true);
    b.close();
    c.close();
  });
});
