import type { Tx } from '../db/client';
import type { Databases } from '../db/databases';
import type { Env } from '../env';
import type { Logger } from '../lib/log';

/** What a use case gets: its tenant, the time, a logger and the ways out (Postgres, Durable Objects). */
export interface ServiceContext {
  env: Env;
  tenantId: string;
  now: Date;
  log: Logger;
  /** The request's databases (opened on first use): the shared one and the tenant's own (src/db/databases.ts). */
  databases: () => Databases;
}

/** A transaction scoped to the context's tenant, in the database that holds its data (see `Databases.inTenant`). */
export function tenantTx<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.databases().inTenant(ctx.tenantId, fn);
}

/**
 * An admin change that Postgres and the TenantDO must both see: the Postgres transaction runs,
 * the TenantDO is written before it commits (a failed RPC rolls Postgres back), and if the commit
 * itself fails afterwards the TenantDO write is undone. Nothing is left half-written either way.
 */
export async function writeThrough<T>(
  ctx: ServiceContext,
  steps: {
    postgres: (tx: Tx) => Promise<T>;
    durable: (result: T) => Promise<unknown>;
    undo: (result: T) => Promise<unknown>;
  },
): Promise<T> {
  let written: { result: T } | undefined;
  try {
    return await tenantTx(ctx, async (tx) => {
      const result = await steps.postgres(tx);
      await steps.durable(result);
      written = { result };
      return result;
    });
  } catch (err) {
    if (written) {
      const { result } = written;
      await steps.undo(result).catch((undoErr) =>
        ctx.log.error('undoing a TenantDO write after a failed commit failed; resync the tenant', {
          tenantId: ctx.tenantId,
          error: String(undoErr),
        }),
      );
    }
    throw err;
  }
}
