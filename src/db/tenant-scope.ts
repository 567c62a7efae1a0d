import { sql } from 'drizzle-orm';
import { AppError } from '../domain/errors';
import { type Database, statementTimeoutOf, type Tx } from './client';
import { isUnavailable } from './errors';
import { TENANT_SETTING } from './schema/common';

/** What a 503 for an unreachable, frozen or overloaded Postgres tells the client to wait. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Runs `fn` in one transaction with `app.tenant_id` set for that transaction only, so the RLS
 * policies admit exactly this tenant's rows. Every query on tenant data goes through here; queries
 * also filter on tenant_id themselves (the policy is the safety net, not the mechanism).
 *
 * Postgres being unreachable, or not answering within the timeouts (see `openDatabase`), becomes
 * an `unavailable` error (503 with Retry-After, safe to retry).
 */
export async function inTenant<T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let inside = false;
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config(${TENANT_SETTING}, ${tenantId}, true), set_config('statement_timeout', ${String(statementTimeoutOf(db))}, true)`,
      );
      inside = true;
      return fn(tx);
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (!inside || isDriverFailure(err)) {
      const problem = new AppError('unavailable', 'SERVICE_UNAVAILABLE', 'The database is unavailable; retry the request.', {
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      });
      throw Object.assign(problem, { cause: err });
    }
    throw err;
  }
}

/** Errors raised by a query that reached the driver and failed for connectivity reasons. */
function isDriverFailure(err: unknown): boolean {
  const isQueryError = err instanceof Error && (err.name === 'DrizzleQueryError' || 'query' in err);
  return isQueryError && isUnavailable(err);
}
