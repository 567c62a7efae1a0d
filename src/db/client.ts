import { neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import * as schema from './schema';

export type Database = ReturnType<typeof drizzle<typeof schema>>;
/** A transaction handle; everything tenant data goes through one (see `tenant-scope.ts`). */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseConfig {
  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
  /** Milliseconds to wait for a connection (default 5,000). */
  DATABASE_CONNECT_TIMEOUT_MS?: string;
  /** Milliseconds a statement may run (default 20,000); the client gives up a little later if Postgres says nothing. */
  DATABASE_STATEMENT_TIMEOUT_MS?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 20_000;
/** How long after the statement timeout the client stops waiting for Postgres to say so. */
const CLIENT_GRACE_MS = 1000;

const millis = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
};

/** The statement timeout of each handle, set per transaction by `inTenant`. */
const statementTimeouts = new WeakMap<object, number>();

/** The statement timeout (ms) a handle was opened with. */
export function statementTimeoutOf(db: Database): number {
  return statementTimeouts.get(db) ?? DEFAULT_STATEMENT_TIMEOUT_MS;
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
 *
 * Nothing waits on Postgres forever: a connection must be up within the connect timeout, and a
 * statement is cancelled by Postgres after the statement timeout (set per transaction, which a
 * transaction-mode pooler keeps) — or given up by the client shortly after when Postgres answers
 * nothing at all (frozen, or a network that drops packets). Both end as a 503 with Retry-After.
 */
export function openDatabase(config: DatabaseConfig): { db: Database; close: () => Promise<void> } {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  configureNeon(config.NEON_WS_PROXY);
  const statementTimeout = millis(config.DATABASE_STATEMENT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS);
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max: 4,
    connectionTimeoutMillis: millis(config.DATABASE_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS),
    query_timeout: statementTimeout + CLIENT_GRACE_MS,
  });
  // An idle client's socket closing after end() is not an error worth crashing the isolate for.
  pool.on('error', () => {});
  const db = drizzle({ client: pool, schema });
  statementTimeouts.set(db, statementTimeout);
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
