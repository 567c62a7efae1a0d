import { type SQL, sql } from 'drizzle-orm';
import {
  foreignKeyOrder,
  type MoveEnd,
  type MoveState,
  nextStep,
  type PrimaryKey,
  type TableProgress,
} from '../domain/tenant-move';
import type { DatabaseMover } from '../durable-objects/ports';
import { decryptSecret, encryptSecret, parsePlatformKeys } from '../lib/secret-box';
import { type Database, openDatabase, type Tx } from './client';
import { type DatabasesConfig, forgetRoute } from './databases';
import { applyMigrations } from './migrator';
import { inTenant } from './tenant-scope';

/**
 * The Postgres side of moving a tenant between databases (the steps: src/domain/tenant-move.ts). It runs as the
 * application role, inside the tenant's RLS setting like everything else, but without the fence: the move is what
 * sets it. Generic over the schema: the tenant's tables are found in the catalog (every table with a `tenant_id`
 * column, and `tenants` itself), ordered by their foreign keys, and copied page by page as JSON, so a table a later
 * migration adds moves with the rest.
 */

/** Rows per page of a copy, and per statement of a purge. */
const PAGE_ROWS = 5000;
/** A move's statements may take longer than a request's (a large DELETE, a page of wide rows). */
const MOVE_STATEMENT_TIMEOUT_MS = '120000';
/** Tables that stay in the shared database: the routes of tenants to their own databases. */
const SHARED_ONLY = new Set(['tenant_databases']);

const ident = (name: string) => sql.raw(`"${name.replaceAll('"', '""')}"`);
const idents = (names: readonly string[]) => sql.join(names.map(ident), sql`, `);

interface TableInfo {
  name: string;
  pk: string[];
  refs: string[];
  columns: string[];
}

/** The application and owner URLs of an end of the move (the shared database's owner is not known here). */
export interface OpenedEnd {
  db: Database;
  /** Migrations are applied through this (a tenant's own database only). */
  migrationUrl: string | null;
  close: () => Promise<void>;
}

export interface MoveContext {
  config: DatabasesConfig;
  /** Work stops taking new pages after this instant (epoch ms); the step goes on in the next run. */
  deadline: number;
  /** Rows per page of the copy (default `PAGE_ROWS`). */
  pageRows?: number;
}

/** Seals a connection string of the tenant under the current platform key. */
export async function sealTenantUrl(config: DatabasesConfig, tenantId: string, url: string): Promise<string> {
  return encryptSecret(parsePlatformKeys(config.PLATFORM_KEYS), url, tenantId);
}

async function openEnd(config: DatabasesConfig, tenantId: string, end: MoveEnd): Promise<OpenedEnd> {
  if (end.kind === 'shared') {
    const handle = openDatabase(config);
    return { db: handle.db, migrationUrl: null, close: handle.close };
  }
  const keys = parsePlatformKeys(config.PLATFORM_KEYS);
  const url = await decryptSecret(keys, end.databaseUrlSealed, tenantId);
  const migrationUrl = await decryptSecret(keys, end.migrationUrlSealed, tenantId);
  const handle = openDatabase({ ...config, DATABASE_URL: url, DATABASE_STATEMENT_TIMEOUT_MS: MOVE_STATEMENT_TIMEOUT_MS });
  return { db: handle.db, migrationUrl, close: handle.close };
}

/** A transaction of the tenant without the fence (the move's own reads and writes). */
const moving = <T>(db: Database, tenantId: string, fn: (tx: Tx) => Promise<T>) => inTenant(db, tenantId, fn, { fence: false });

type Home = 'home' | 'moving' | 'moved' | 'incoming';

/**
 * Sets where the tenant lives in one database, once every transaction of the tenant under way there has ended. With
 * `from`, only if it is one of those now: a move started on a stale view of where the tenant lives (two platform
 * calls crossing) stops here instead of fencing a database the tenant has left.
 */
async function setHome(db: Database, tenantId: string, home: Home, from?: readonly Home[]): Promise<void> {
  await moving(db, tenantId, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('callboard.tenant_home'), hashtext(${tenantId}))`);
    const only = from
      ? sql` AND home IN (${sql.join(
          from.map((h) => sql`${h}`),
          sql`, `,
        )})`
      : sql``;
    const res = await tx.execute(sql`UPDATE tenants SET home = ${home} WHERE id = ${tenantId}${only}`);
    if (from && (res.rowCount ?? 0) === 0) {
      throw new MoveVerificationError(
        `the tenant is not ${from.join(' or ')} in this database any more: its route changed meanwhile`,
      );
    }
  });
}

/** The tenant's tables in a database, in foreign-key order (`tenants` first). */
async function tenantTables(tx: Tx): Promise<TableInfo[]> {
  const res = await tx.execute(sql`
    SELECT c.relname AS name,
      ARRAY(SELECT a.attname::text FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.ord) AS pk,
      ARRAY(SELECT DISTINCT f.relname::text FROM pg_constraint fk JOIN pg_class f ON f.oid = fk.confrelid
            WHERE fk.conrelid = c.oid AND fk.contype = 'f') AS refs,
      ARRAY(SELECT a.attname::text FROM pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND (c.relname = 'tenants' OR EXISTS (
        SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))`);
  const tables = (res.rows as unknown as TableInfo[]).filter((t) => !SHARED_ONLY.has(t.name));
  for (const t of tables) {
    if (t.pk.length === 0) throw new Error(`table ${t.name} has no primary key: it cannot be copied page by page`);
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  return foreignKeyOrder(tables).map((name) => byName.get(name) as TableInfo);
}

/** The condition on a table's tenant column (`tenants` is keyed by `id`). */
const tenantOf = (table: string, tenantId: string): SQL =>
  table === 'tenants' ? sql`id = ${tenantId}` : sql`tenant_id = ${tenantId}`;

/** Checks the target can take every column the source has (both at the same migration). */
function checkColumns(source: TableInfo[], target: TableInfo[]): void {
  const targetByName = new Map(target.map((t) => [t.name, new Set(t.columns)]));
  for (const t of source) {
    const columns = targetByName.get(t.name);
    if (!columns) throw new Error(`the target database has no table ${t.name}: apply the same migrations to both`);
    const missing = t.columns.filter((c) => !columns.has(c));
    if (missing.length > 0) {
      throw new Error(`the target's ${t.name} lacks ${missing.join(', ')}: apply the same migrations to both databases`);
    }
  }
}

/** One page of a table's rows of the tenant after `after` (by primary key), as JSON text, and the page's last key. */
async function readPage(tx: Tx, tenantId: string, t: TableInfo, after: PrimaryKey | null, pageRows: number) {
  const pk = idents(t.pk);
  const keyObject = sql.join(
    t.pk.map((c) => sql`${c}::text, p.${ident(c)}`),
    sql`, `,
  );
  const from = after
    ? sql`AND (${pk}) > (SELECT ${sql.join(
        t.pk.map((c) => sql`r.${ident(c)}`),
        sql`, `,
      )} FROM jsonb_populate_record(NULL::${ident(t.name)}, ${JSON.stringify(after)}::jsonb) r)`
    : sql``;
  const res = await tx.execute(sql`
    WITH page AS (
      SELECT * FROM ${ident(t.name)} WHERE ${tenantOf(t.name, tenantId)} ${from} ORDER BY ${pk} LIMIT ${pageRows})
    SELECT coalesce((SELECT json_agg(p)::text FROM page p), '[]') AS rows, (SELECT count(*)::int FROM page) AS n,
      (SELECT json_build_object(${keyObject})::text FROM page p ORDER BY ${sql.join(
        t.pk.map((c) => sql`p.${ident(c)} DESC`),
        sql`, `,
      )} LIMIT 1) AS last`);
  const row = res.rows[0] as { rows: string; n: number; last: string | null };
  return { rows: row.rows, n: Number(row.n), last: row.last ? (JSON.parse(row.last) as PrimaryKey) : null };
}

type Page = Awaited<ReturnType<typeof readPage>>;

/** Writes a page into the target (a page written before, by a run cut short, is skipped row by row). */
async function writePage(tx: Tx, t: TableInfo, rows: string): Promise<void> {
  const columns = idents(t.columns);
  await tx.execute(sql`
    INSERT INTO ${ident(t.name)} (${columns})
    SELECT ${columns} FROM jsonb_populate_recordset(NULL::${ident(t.name)}, ${rows}::jsonb)
    ON CONFLICT DO NOTHING`);
}

/** The tenant's `tenants` row copied over the target's (keeping `home` as the target has it). */
async function copyTenantRow(source: Database, target: Database, tenantId: string, tenantsTable: TableInfo): Promise<void> {
  const row = await moving(source, tenantId, async (tx) => {
    const res = await tx.execute(sql`SELECT row_to_json(t)::text AS row FROM tenants t WHERE id = ${tenantId}`);
    return (res.rows[0] as { row: string } | undefined)?.row;
  });
  if (!row) throw new Error(`the source database has no tenant ${tenantId}`);
  const columns = tenantsTable.columns.filter((c) => c !== 'home');
  const updates = sql.join(
    columns.filter((c) => c !== 'id').map((c) => sql`${ident(c)} = excluded.${ident(c)}`),
    sql`, `,
  );
  await moving(target, tenantId, (tx) =>
    tx.execute(sql`
      INSERT INTO tenants (${idents(columns)}, home)
      SELECT ${idents(columns)}, 'incoming' FROM jsonb_populate_record(NULL::tenants, ${row}::jsonb)
      ON CONFLICT (id) DO UPDATE SET ${updates}`),
  );
}

/** Deletes the tenant's rows from a database, children first, in bounded statements; true when none are left. */
async function deleteTenantRows(db: Database, tenantId: string, state: MoveState, ctx: MoveContext): Promise<boolean> {
  const tables = (await moving(db, tenantId, tenantTables)).filter((t) => t.name !== 'tenants').reverse();
  for (const t of tables) {
    for (;;) {
      if (Date.now() > ctx.deadline) return false;
      const deleted = await moving(db, tenantId, async (tx) => {
        const res = await tx.execute(sql`
          DELETE FROM ${ident(t.name)} WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM ${ident(t.name)} WHERE ${tenantOf(t.name, tenantId)} LIMIT ${PAGE_ROWS * 5}))`);
        return res.rowCount ?? 0;
      });
      if (state.step === 'purge') state.removedRows += deleted;
      if (deleted === 0) break;
    }
  }
  return true;
}

function bump(state: MoveState, table: string, rows: number): void {
  const entry = state.tables.find((t) => t.table === table);
  if (entry) entry.rows += rows;
  else state.tables.push({ table, rows });
}

/**
 * Runs the move's current step as far as the deadline allows and answers the state after it: the next step when
 * the step completed (its `attempts` reset), the same step with its progress otherwise. Throws when the step failed
 * (the caller counts the attempt and tries again later).
 */
export async function advanceMove(input: MoveState, ctx: MoveContext): Promise<MoveState> {
  const state: MoveState = structuredClone(input);
  const source = await openEnd(ctx.config, state.tenantId, state.source);
  const target = await openEnd(ctx.config, state.tenantId, state.target);
  try {
    const complete = await runStep(state, source, target, ctx);
    if (complete) {
      state.step = nextStep(state.kind, state.step);
      state.attempts = 0;
      state.error = null;
      state.cursor = null;
    }
    return state;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/** Puts the source back as the tenant's home after a move given up before its switch. */
export async function abandonMove(state: MoveState, config: DatabasesConfig): Promise<void> {
  const source = await openEnd(config, state.tenantId, state.source);
  try {
    // Only a source this move fenced: one the tenant had already left (a stale start) stays as it is.
    await setHome(source.db, state.tenantId, 'home', ['moving', 'home']).catch((err) => {
      if (!(err instanceof MoveVerificationError)) throw err;
    });
  } finally {
    await source.close();
  }
}

async function runStep(state: MoveState, source: OpenedEnd, target: OpenedEnd, ctx: MoveContext): Promise<boolean> {
  const tenantId = state.tenantId;
  switch (state.step) {
    case 'migrate': {
      const end = state.kind === 'migrate' ? source : target;
      if (!end.migrationUrl) return true;
      const owner = openDatabase({
        ...ctx.config,
        DATABASE_URL: end.migrationUrl,
        DATABASE_STATEMENT_TIMEOUT_MS: MOVE_STATEMENT_TIMEOUT_MS,
      });
      try {
        const result = await applyMigrations(owner.db, (p) => {
          state.migrations = { applied: p.applied, total: p.total };
        });
        state.migrations = { applied: result.total, total: result.total };
      } finally {
        await owner.close();
      }
      await checkApplicationRole(end.db);
      return true;
    }
    case 'prepare': {
      const tables = await moving(target.db, tenantId, tenantTables);
      const tenantsTable = tables.find((t) => t.name === 'tenants');
      if (!tenantsTable) throw new Error('the target database has no tenants table');
      const exists = await moving(target.db, tenantId, async (tx) => {
        const res = await tx.execute(sql`SELECT 1 FROM tenants WHERE id = ${tenantId}`);
        return res.rows.length > 0;
      });
      // A tenant at home in the target cannot be moved there (it would be deleted): the route says otherwise.
      if (exists) {
        const home = await moving(target.db, tenantId, async (tx) => {
          const res = await tx.execute(sql`SELECT home FROM tenants WHERE id = ${tenantId}`);
          return (res.rows[0] as { home: string }).home;
        });
        if (home === 'home' || home === 'moving') {
          throw new MoveVerificationError(`the tenant's data is at home in the target database (${home})`);
        }
        await setHome(target.db, tenantId, 'incoming', ['moved', 'incoming']);
      }
      if (!(await deleteTenantRows(target.db, tenantId, state, ctx))) return false;
      await copyTenantRow(source.db, target.db, tenantId, tenantsTable);
      return true;
    }
    case 'fence':
      await setHome(source.db, tenantId, 'moving', ['home', 'moving']);
      return true;
    case 'copy':
      return copyTables(state, source, target, ctx);
    case 'verify': {
      for (const entry of state.tables) {
        const count = (db: Database) =>
          moving(db, tenantId, async (tx) => {
            const res = await tx.execute(
              sql`SELECT count(*)::int AS n FROM ${ident(entry.table)} WHERE ${tenantOf(entry.table, tenantId)}`,
            );
            return Number((res.rows[0] as { n: number }).n);
          });
        entry.sourceRows = await count(source.db);
        entry.targetRows = await count(target.db);
      }
      const wrong = state.tables.filter((t) => t.sourceRows !== t.targetRows);
      if (wrong.length > 0) {
        throw new MoveVerificationError(
          `rows differ after the copy: ${wrong.map((t) => `${t.table} ${t.sourceRows} in the source, ${t.targetRows} in the target`).join('; ')}`,
        );
      }
      return true;
    }
    case 'switch': {
      await setHome(target.db, tenantId, 'home', ['incoming', 'home']);
      await writeRoute(ctx.config, state);
      await setHome(source.db, tenantId, 'moved');
      forgetRoute(tenantId);
      return true;
    }
    case 'purge':
      return deleteTenantRows(source.db, tenantId, state, ctx);
    default:
      return true;
  }
}

/** The copy failed its check: no retry can mend it, the move is given up at once. */
export class MoveVerificationError extends Error {
  override name = 'MoveVerificationError';
}

/** The route in the shared database: the target's sealed URLs, or none when the tenant comes back to it. */
async function writeRoute(config: DatabasesConfig, state: MoveState): Promise<void> {
  const shared = openDatabase(config);
  try {
    await moving(shared.db, state.tenantId, async (tx) => {
      const t = state.target;
      if (t.kind === 'shared') {
        await tx.execute(sql`DELETE FROM tenant_databases WHERE tenant_id = ${state.tenantId}`);
        return;
      }
      await tx.execute(sql`
        INSERT INTO tenant_databases (tenant_id, database_url_sealed, migration_url_sealed)
        VALUES (${state.tenantId}, ${t.databaseUrlSealed}, ${t.migrationUrlSealed})
        ON CONFLICT (tenant_id) DO UPDATE SET database_url_sealed = excluded.database_url_sealed,
          migration_url_sealed = excluded.migration_url_sealed, generation = tenant_databases.generation + 1, updated_at = now()`);
    });
  } finally {
    await shared.close();
  }
}

/** Copies the tenant's tables page by page from where the last run stopped; true once every table is copied. */
async function copyTables(state: MoveState, source: OpenedEnd, target: OpenedEnd, ctx: MoveContext): Promise<boolean> {
  const tenantId = state.tenantId;
  const tables = await moving(source.db, tenantId, tenantTables);
  checkColumns(tables, await moving(target.db, tenantId, tenantTables));
  if (state.tables.length === 0) state.tables = tables.map((t): TableProgress => ({ table: t.name, rows: 0 }));
  state.cursor ??= { table: 0, after: null };
  const cursor = state.cursor;
  const pageRows = ctx.pageRows ?? PAGE_ROWS;
  const read = (t: TableInfo, after: PrimaryKey | null): Promise<Page> =>
    moving(source.db, tenantId, (tx) => readPage(tx, tenantId, t, after, pageRows));
  // The next page is read from the source while this one is written to the target (two connections).
  let next: ReturnType<typeof read> | null = null;
  try {
    while (cursor.table < tables.length) {
      const t = tables[cursor.table] as TableInfo;
      if (t.name === 'tenants') {
        // Copied again now that the source is read only: a change made before the fence is not lost.
        await copyTenantRow(source.db, target.db, tenantId, t);
        bump(state, t.name, 1);
        cursor.table++;
        continue;
      }
      if (Date.now() > ctx.deadline) return false;
      const page: Page = await (next ?? read(t, cursor.after));
      next = page.n === pageRows ? read(t, page.last) : null;
      if (page.n > 0) {
        await moving(target.db, tenantId, (tx) => writePage(tx, t, page.rows));
        bump(state, t.name, page.n);
      }
      if (page.n < pageRows) {
        cursor.table++;
        cursor.after = null;
      } else {
        cursor.after = page.last;
      }
    }
  } finally {
    // A page read ahead and not written (out of time, or a failure) is read again by the next run.
    next?.catch(() => {});
  }
  return true;
}

/** The application role must be bound by RLS: neither a superuser nor allowed to bypass it. */
async function checkApplicationRole(db: Database): Promise<void> {
  const res = await db.execute(sql`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`);
  const role = res.rows[0] as { rolsuper: boolean; rolbypassrls: boolean } | undefined;
  if (!role || role.rolsuper || role.rolbypassrls) {
    throw new MoveVerificationError(
      "the database URL's role bypasses row-level security (a superuser, or BYPASSRLS): give the application role's URL",
    );
  }
}

/** The mover the TenantDatabaseDO runs (wired in `src/index.ts`). */
export function postgresMover(config: DatabasesConfig): DatabaseMover {
  return {
    advance: (state, deadline) => advanceMove(state, { config, deadline }),
    abandon: (state) => abandonMove(state, config),
    isFatal: (err) => err instanceof MoveVerificationError,
  };
}
