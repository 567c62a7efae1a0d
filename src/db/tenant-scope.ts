import { sql } from 'drizzle-orm';
import { AppError } from '../domain/errors';
import { type Database, statementTimeoutOf, type Tx } from './client';
import { isUnavailable, sqlState } from './errors';
import { TENANT_SETTING } from './schema/common';
import type { TenantHome } from './schema/tenants';

/** What a 503 for an unreachable, frozen or overloaded Postgres tells the client to wait. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** How long a client is asked to wait while its tenant's data is being moved between databases. */
export const TENANT_MOVING_RETRY_AFTER_SECONDS = 2;

/**
 * The database asked does not hold the tenant's data (any more, or not yet): thrown before `fn` ran, so the caller
 * may look up the tenant's current database and run it there (src/db/databases.ts).
 */
export class TenantNotHomeError extends Error {
  constructor(
    readonly tenantId: string,
    readonly home: TenantHome | 'absent',
  ) {
    super(`tenant ${tenantId} is not at home in this database (${home})`);
    this.name = 'TenantNotHomeError';
  }
}

/** A write refused because the tenant's data is being copied to another database: 503, retry in a moment. */
export function tenantMovingError(cause?: unknown): AppError {
  const problem = new AppError(
    'unavailable',
    'TENANT_MOVING',
    "The tenant's data is being moved to another database; writes resume in a moment. Retry the request.",
    { retryAfterSeconds: TENANT_MOVING_RETRY_AFTER_SECONDS },
  );
  return cause === undefined ? problem : Object.assign(problem, { cause });
}

/** SQLSTATE of a write in a read-only transaction: a tenant being moved (see `callboard_enter_tenant`). */
export const READ_ONLY_SQL_TRANSACTION = '25006';

export interface InTenantOptions {
  /** A tenant with no row here is at home (only in the shared database: a tenant being created, or none). */
  absentIsHome?: boolean;
  /** false: no fence and no home check (reading a route, moving the tenant's data: src/db/tenant-move.ts). */
  fence?: boolean;
}

/**
 * Runs `fn` in one transaction with `app.tenant_id` set for that transaction only, so the RLS
 * policies admit exactly this tenant's rows. Every query on tenant data goes through here; queries
 * also filter on tenant_id themselves (the policy is the safety net, not the mechanism).
 *
 * The transaction's first statement (`callboard_enter_tenant`, migration 0025) also takes the tenant's fence: a
 * database the tenant has left, or not yet arrived in, throws `TenantNotHomeError` before `fn` runs; a tenant being
 * copied elsewhere gets a read-only transaction, so its writes are refused (`TENANT_MOVING`, retry) and none is lost.
 *
 * Postgres being unreachable, or not answering within the timeouts (see `openDatabase`), becomes
 * an `unavailable` error (503 with Retry-After, safe to retry).
 */
export async function inTenant<T>(
  db: Database,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  options: InTenantOptions = {},
): Promise<T> {
  let inside = false;
  try {
    return await db.transaction(async (tx) => {
      const timeout = String(statementTimeoutOf(db));
      if (options.fence === false) {
        await tx.execute(
          sql`select set_config(${TENANT_SETTING}, ${tenantId}, true), set_config('statement_timeout', ${timeout}, true)`,
        );
      } else {
        const entered = await tx.execute(sql`select callboard_enter_tenant(${tenantId}, ${timeout}) as home`);
        const home = (entered.rows[0] as { home: TenantHome | 'absent' } | undefined)?.home ?? 'absent';
        const atHome = home === 'home' || home === 'moving' || (home === 'absent' && options.absentIsHome === true);
        if (!atHome) {
          inside = true;
          throw new TenantNotHomeError(tenantId, home);
        }
      }
      inside = true;
      return fn(tx);
    });
  } catch (err) {
    if (err instanceof AppError || err instanceof TenantNotHomeError) throw err;
    if (sqlState(err) === READ_ONLY_SQL_TRANSACTION) throw tenantMovingError(err);
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
