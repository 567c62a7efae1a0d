import { neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import * as schema from './schema';

export type Database = ReturnType<typeof drizzle<typeof schema>>;
/** A transaction handle; everything tenant data goes through one (see `tenant-scope.ts`). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseConfig {
  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
}

let proxyConfigured: string | undefined;

/**
 * Points the Neon driver at a plain WebSocket-to-TCP proxy (local dev and tests). In production
 * NEON_WS_PROXY is unset and the driver talks TLS WebSockets to Neon's own endpoint.
 */
function configureNeon(proxy: string | undefined): void {
  if (!proxy || proxyConfigured === proxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  proxyConfigured = proxy;
}

/**
 * A database handle for one request or one alarm: a Neon WebSocket Pool (transactions work) that the
 * caller must `close()`. Never kept in module scope — a Worker's I/O objects belong to one request.
 */
export function openDatabase(config: DatabaseConfig): { db: Database; close: () => Promise<void> } {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  configureNeon(config.NEON_WS_PROXY);
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  // An idle client's socket closing after end() is not an error worth crashing the isolate for.
  pool.on('error', () => {});
  const db = drizzle({ client: pool, schema });
  let closed = false;
  return {
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
    },
  };
}
