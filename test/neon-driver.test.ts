import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client';
import { sites } from '../src/db/schema';
import { inTenant } from '../src/db/tenant-scope';
import { AppError } from '../src/domain/errors';
import { createTenant } from './factories';
import { env } from './helpers/env';

/**
 * The production driver path: @neondatabase/serverless's WebSocket Pool with drizzle-orm/neon-serverless,
 * here through a WebSocket-to-TCP proxy in front of the local Postgres instead of Neon's endpoint.
 */
describe('Neon serverless driver', () => {
  it('commits and rolls back transactions over WebSockets, as the application role', async () => {
    const t = await createTenant();
    const { db, close } = openDatabase(env);
    try {
      await inTenant(db, t.id, (tx) =>
        tx.insert(sites).values({ tenantId: t.id, id: 'sit_committed00000000000000000', name: 'kept' }),
      );
      await expect(
        inTenant(db, t.id, async (tx) => {
          await tx.insert(sites).values({ tenantId: t.id, id: 'sit_rolledback0000000000000000', name: 'gone' });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const rows = await inTenant(db, t.id, (tx) => tx.select({ name: sites.name }).from(sites).where(eq(sites.tenantId, t.id)));
      expect(rows).toEqual([{ name: 'kept' }]);
      const [who] = (await inTenant(db, t.id, (tx) => tx.execute('select current_user as u'))).rows;
      expect(who).toEqual({ u: 'callboard_app' });
    } finally {
      await close();
    }
  });

  it('an unreachable database is a retryable "unavailable" error, not a crash', async () => {
    const unreachable = new URL(env.DATABASE_URL);
    unreachable.port = '1'; // nothing listens there: the proxy's TCP connect is refused
    const { db, close } = openDatabase({ DATABASE_URL: unreachable.toString(), NEON_WS_PROXY: env.NEON_WS_PROXY });
    try {
      const err = await inTenant(db, 'tnt_00000000000000000000000000', (tx) => tx.execute('select 1')).catch((e) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ kind: 'unavailable', code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await close();
    }
  });
});
