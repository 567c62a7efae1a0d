import type { TenantDatabase, TenantDatabaseAssign, TenantDatabaseOperation } from '../../contracts/tenant-databases';
import { resealRoute, tenantDatabaseRow } from '../../db/databases';
import { sealTenantUrl } from '../../db/tenant-move';
import { conflict } from '../../domain/errors';
import { type MoveEnd, type MoveState, newMove } from '../../domain/tenant-move';
import { callTenantDatabase } from '../../durable-objects/tenant-database/tenant-database.client';
import { newId } from '../../lib/ids';
import { decryptSecret, encryptSecret, needsReencryption } from '../../lib/secret-box';
import type { ServiceContext } from '../context';
import { platformKeys } from '../sealed-secrets';
import { getTenant } from '../tenants/get-tenant';

/**
 * A tenant's own database (docs/dedicated-databases.md): assigning one moves the tenant's data there, releasing it
 * moves the data back to the shared database, and migrating applies pending migrations to it. Each is an operation
 * the tenant's TenantDatabaseDO runs step by step; these answer at once (202) and `GET …/database` shows progress.
 */

/** Where the tenant lives now, as an end of a move (its sealed URLs), and the route's generation. */
async function currentEnd(ctx: ServiceContext): Promise<{ end: MoveEnd; generation: number; url: string | null }> {
  const row = await tenantDatabaseRow(ctx.databases(), ctx.tenantId);
  if (!row) return { end: { kind: 'shared' }, generation: 0, url: null };
  const url = await decryptSecret(platformKeys(ctx, "A tenant's database"), row.databaseUrlSealed, ctx.tenantId);
  return {
    end: {
      kind: 'dedicated',
      databaseUrlSealed: row.databaseUrlSealed,
      migrationUrlSealed: row.migrationUrlSealed,
      ...where(url),
    },
    generation: row.generation,
    url,
  };
}

/** Host and database name of a connection string: what may be shown of it. */
function where(url: string): { host: string; database: string } {
  const u = new URL(url);
  return { host: u.port ? `${u.hostname}:${u.port}` : u.hostname, database: decodeURIComponent(u.pathname.slice(1)) };
}

async function start(ctx: ServiceContext, state: MoveState): Promise<TenantDatabase> {
  const result = await callTenantDatabase(ctx.env, ctx.tenantId, (stub) => stub.start(state));
  if (!result.started) {
    throw conflict(
      'DATABASE_OPERATION_IN_PROGRESS',
      `A ${result.state.kind} of this tenant's database is under way (step ${result.state.step}); wait for it to finish.`,
    );
  }
  return getTenantDatabase(ctx);
}

/** Moves the tenant's data to its own database (from the shared one, or from another of its own). */
export async function assignTenantDatabase(ctx: ServiceContext, input: TenantDatabaseAssign): Promise<TenantDatabase> {
  await getTenant(ctx);
  const current = await currentEnd(ctx);
  if (current.url === input.databaseUrl) {
    throw conflict('DATABASE_ALREADY_ASSIGNED', "The tenant's data already lives in this database.");
  }
  platformKeys(ctx, "A tenant's database");
  const target: MoveEnd = {
    kind: 'dedicated',
    databaseUrlSealed: await sealTenantUrl(ctx.env, ctx.tenantId, input.databaseUrl),
    migrationUrlSealed: await sealTenantUrl(ctx.env, ctx.tenantId, input.migrationUrl),
    ...where(input.databaseUrl),
  };
  return start(
    ctx,
    newMove({ id: newId('databaseOperation'), tenantId: ctx.tenantId, kind: 'move', source: current.end, target, now: ctx.now }),
  );
}

/** Moves the tenant's data back to the shared database. */
export async function releaseTenantDatabase(ctx: ServiceContext): Promise<TenantDatabase> {
  await getTenant(ctx);
  const current = await currentEnd(ctx);
  if (current.end.kind === 'shared') throw conflict('NO_DEDICATED_DATABASE', 'The tenant already lives in the shared database.');
  return start(
    ctx,
    newMove({
      id: newId('databaseOperation'),
      tenantId: ctx.tenantId,
      kind: 'move',
      source: current.end,
      target: { kind: 'shared' },
      now: ctx.now,
    }),
  );
}

/** Applies pending migrations to the tenant's own database (after a deploy that brought new ones). */
export async function migrateTenantDatabase(ctx: ServiceContext): Promise<TenantDatabase> {
  await getTenant(ctx);
  const current = await currentEnd(ctx);
  if (current.end.kind === 'shared') {
    throw conflict(
      'NO_DEDICATED_DATABASE',
      'The tenant lives in the shared database, which the deploy migrates (`npm run db:migrate`).',
    );
  }
  return start(
    ctx,
    newMove({
      id: newId('databaseOperation'),
      tenantId: ctx.tenantId,
      kind: 'migrate',
      source: current.end,
      target: current.end,
      now: ctx.now,
    }),
  );
}

/** Seals the tenant's database URLs again under the current platform key (after a rotation). */
export async function reencryptTenantDatabase(ctx: ServiceContext): Promise<{ reencrypted: number; total: number }> {
  const row = await tenantDatabaseRow(ctx.databases(), ctx.tenantId);
  if (!row) return { reencrypted: 0, total: 0 };
  const keys = platformKeys(ctx, "A tenant's database");
  if (!needsReencryption(keys, row.databaseUrlSealed) && !needsReencryption(keys, row.migrationUrlSealed)) {
    return { reencrypted: 0, total: 1 };
  }
  const reseal = async (sealed: string) => encryptSecret(keys, await decryptSecret(keys, sealed, ctx.tenantId), ctx.tenantId);
  const resealed = await resealRoute(ctx.databases(), ctx.tenantId, {
    databaseUrlSealed: await reseal(row.databaseUrlSealed),
    migrationUrlSealed: await reseal(row.migrationUrlSealed),
  });
  return { reencrypted: resealed ? 1 : 0, total: 1 };
}

export async function getTenantDatabase(ctx: ServiceContext): Promise<TenantDatabase> {
  await getTenant(ctx);
  const current = await currentEnd(ctx);
  const operation = await callTenantDatabase(ctx.env, ctx.tenantId, (stub) => stub.status());
  return {
    tenantId: ctx.tenantId,
    home: ref(current.end),
    generation: current.generation,
    operation: operation ? present(operation) : null,
  };
}

const ref = (end: MoveEnd) =>
  end.kind === 'shared'
    ? { kind: 'shared' as const, host: null, database: null }
    : { kind: 'dedicated' as const, host: end.host, database: end.database };

function present(state: MoveState): TenantDatabaseOperation {
  return {
    id: state.id,
    kind: state.kind,
    from: ref(state.source),
    to: ref(state.target),
    step: state.step,
    migrations: state.migrations,
    tables: state.tables,
    removedRows: state.removedRows,
    attempts: state.attempts,
    error: state.error,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
  };
}
