// The KPI service (src/services/kpis/kpis.ts), as `GET /v1/kpis` runs it, callable from Node over plain TCP:
// bench/history.mjs times it beside its baselines — "Callboard's query": every statement the API runs for a
// report (tenant, policies, dirty buckets, day and 15-minute cells), its merging and its maths, in a tenant
// transaction as the application role — without HTTP, the Worker runtime or the WebSocket proxy.
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import { KpiQuerySchema } from '../../src/contracts/kpis';
import type { Database } from '../../src/db/client';
import { singleDatabase } from '../../src/db/databases';
import * as schema from '../../src/db/schema';
import type { Env } from '../../src/env';
import type { Logger } from '../../src/lib/log';
import { queryKpis } from '../../src/services/kpis/kpis';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** `query(params)`: the answer `GET /v1/kpis?params` gives, from the service itself. */
export function kpiService(pool: Pool, tenantId: string) {
  const db = drizzle(pool, { schema }) as unknown as Database;
  return (params: Record<string, string>) =>
    queryKpis(
      { env: {} as Env, tenantId, now: new Date(), log: quiet, databases: () => singleDatabase(db) },
      KpiQuerySchema.parse(params),
    );
}
