import { Pool } from '@neondatabase/serverless';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client';
import { createQueue, createTenant } from './factories';
import { env } from './helpers/env';

/** Raw SQL as a given role, through the same Neon driver and proxy production code uses. */
async function withClient<T>(
  url: string,
  fn: (q: (text: string, params?: unknown[]) => Promise<any[]>) => Promise<T>,
): Promise<T> {
  openDatabase({ DATABASE_URL: url, NEON_WS_PROXY: env.NEON_WS_PROXY }); // configures the driver for the local proxy
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {});
  const client = await pool.connect();
  try {
    return await fn(async (text, params) => (await client.query(text, params as any[])).rows);
  } finally {
    client.release();
    await pool.end();
  }
}

describe('row-level security (the safety net)', () => {
  it('the application role is not a superuser, cannot bypass RLS and owns no table', async () => {
    await withClient(env.DATABASE_URL, async (q) => {
      const [role] = await q('SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');
      expect(role).toEqual({ name: 'callboard_app', rolsuper: false, rolbypassrls: false });
      const owned = await q("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user");
      expect(owned).toEqual([]);
    });
  });

  it('every table with tenant data has RLS enabled and forced, with the tenant policy', async () => {
    await withClient(env.DATABASE_URL, async (q) => {
      const tables = await q(`
        SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
               EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                         AND p.policyname = 'tenant_isolation' AND p.qual LIKE '%current_setting(''app.tenant_id''%') AS policy
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT LIKE '\\_\\_%'
        ORDER BY c.relname`);
      expect(tables.length).toBeGreaterThanOrEqual(9);
      for (const t of tables) expect(t, t.name).toMatchObject({ enabled: true, forced: true, policy: true });
    });
  });

  it('without app.tenant_id the application role sees no rows at all', async () => {
    const a = await createTenant();
    await createQueue(a);
    await withClient(env.DATABASE_URL, async (q) => {
      for (const table of ['tenants', 'api_keys', 'queues']) {
        expect((await q(`SELECT count(*)::int AS n FROM ${table}`))[0].n, table).toBe(0);
      }
    });
  });

  it('with app.tenant_id it sees that tenant only, and cannot write rows of another', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const qa = await createQueue(a);
    await createQueue(b);
    await withClient(env.DATABASE_URL, async (q) => {
      await q('BEGIN');
      await q("SELECT set_config('app.tenant_id', $1, true)", [a.id]);
      expect(await q('SELECT id FROM queues')).toEqual([{ id: qa.id }]);
      expect(await q('SELECT id FROM tenants')).toEqual([{ id: a.id }]);
      await expect(q("INSERT INTO queues (tenant_id, id, name) VALUES ($1, 'que_forged', 'x')", [b.id])).rejects.toThrow(
        /row-level security/,
      );
      await q('ROLLBACK');
      // The setting was local to that transaction.
      expect((await q('SELECT count(*)::int AS n FROM queues'))[0].n).toBe(0);
    });
  });

  it('binds the owner role too (FORCE), as on Neon where the owner is no superuser', async () => {
    const a = await createTenant();
    await createQueue(a);
    await withClient(env.TEST_OWNER_DATABASE_URL, async (q) => {
      const [role] = await q('SELECT current_user AS name, rolsuper FROM pg_roles WHERE rolname = current_user');
      expect(role).toEqual({ name: 'callboard_owner', rolsuper: false });
      expect((await q('SELECT count(*)::int AS n FROM queues'))[0].n).toBe(0);
    });
  });
});
