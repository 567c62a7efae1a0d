import { Pool } from '@neondatabase/serverless';
import { openDatabase } from '../../src/db/client';
import { env } from './env';

type Query = (text: string, params?: unknown[]) => Promise<any[]>;

/**
 * Raw SQL in one transaction as the application role with `app.tenant_id` set (or unset with
 * `null`), through the same Neon driver and proxy the Worker uses. For assertions on what is in
 * Postgres, and for arranging rows a test cannot reach through the API.
 */
export async function asTenant<T>(tenantId: string | null, fn: (q: Query) => Promise<T>, url = env.DATABASE_URL): Promise<T> {
  openDatabase({ DATABASE_URL: url, NEON_WS_PROXY: env.NEON_WS_PROXY }); // points the driver at the local proxy
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {});
  const client = await pool.connect();
  client.on('error', () => {});
  try {
    await client.query('BEGIN');
    if (tenantId) await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    const result = await fn(async (text, params) => (await client.query(text, params as any[])).rows);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
    await pool.end();
  }
}
