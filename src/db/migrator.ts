import { sql } from 'drizzle-orm';
import type { Database, Tx } from './client';
import { type BundledMigration, MIGRATIONS } from './migrations-bundle';

// The migrations of drizzle/ applied from inside a Worker (a tenant's dedicated database, issue 12 §3), from the
// bundle scripts/bundle-migrations.mjs generates. The bookkeeping is drizzle's own (drizzle-orm pg-core dialect
// `migrate`): table drizzle.__drizzle_migrations (id serial, hash, created_at = the journal's `when`), and a
// migration is pending when its `when` is later than the newest created_at. So a database migrated by
// `npm run db:migrate` (drizzle's node migrator, scripts/lib/database.mjs) shows nothing pending here, and one
// migrated here shows nothing pending there.
//
// Unlike drizzle's migrator, each migration runs in a transaction of its own, which first takes a transaction-level
// advisory lock and only then reads what is applied: concurrent runs against one database queue up behind each other
// and never both apply a migration. Run it as the database's owner role (migrations create roles, tables and
// policies), never as the application role. The handle's statement timeout (openDatabase) bounds each statement.

const SCHEMA = 'drizzle';
const TABLE = '__drizzle_migrations';
const LOCK_KEY = 'callboard.migrations';

export interface MigrationStatus {
  /** Migrations of the bundle already applied to the database. */
  applied: number;
  total: number;
  /** Tags of the migrations not applied yet, in order. */
  pending: string[];
}

export interface MigrationProgress {
  /** Migrations applied so far, this one included. */
  applied: number;
  total: number;
  /** The migration just applied. */
  tag: string;
}

type Executor = Pick<Database, 'execute'> | Pick<Tx, 'execute'>;

/** The newest created_at in the bookkeeping table, or null when it is missing or empty. */
async function newestApplied(q: Executor): Promise<number | null> {
  const present = await q.execute(sql`SELECT to_regclass(${`${SCHEMA}.${TABLE}`}) IS NOT NULL AS present`);
  if (!present.rows[0]?.present) return null;
  const newest = await q.execute(
    sql`SELECT created_at FROM ${sql.identifier(SCHEMA)}.${sql.identifier(TABLE)} ORDER BY created_at DESC LIMIT 1`,
  );
  const value = newest.rows[0]?.created_at;
  return value === undefined || value === null ? null : Number(value);
}

/** drizzle's rule: pending when there is no record yet, or its `when` is later than the newest record. */
const isPending = (migration: BundledMigration, newest: number | null) => newest === null || newest < migration.when;

/** What is applied to the database and what is pending. Reads only; creates nothing. */
export async function migrationStatus(db: Database): Promise<MigrationStatus> {
  const newest = await newestApplied(db);
  const pending = MIGRATIONS.filter((m) => isPending(m, newest)).map((m) => m.tag);
  return { applied: MIGRATIONS.length - pending.length, total: MIGRATIONS.length, pending };
}

/**
 * Applies every pending migration, one transaction each, in journal order. Safe to run concurrently with itself
 * (or to re-run after a failure: a failed migration's transaction rolls back whole, and the next run starts there).
 * Returns the tags applied by this call.
 */
export async function applyMigrations(
  db: Database,
  onProgress?: (progress: MigrationProgress) => void | Promise<void>,
): Promise<{ applied: string[]; total: number }> {
  const total = MIGRATIONS.length;
  const applied: string[] = [];
  for (;;) {
    const done = await db.transaction(async (tx) => {
      // Taken before anything is read: a concurrent run waits here, then sees what this one recorded.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${LOCK_KEY}))`);
      await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS ${sql.identifier(SCHEMA)}`);
      await tx.execute(
        sql`CREATE TABLE IF NOT EXISTS ${sql.identifier(SCHEMA)}.${sql.identifier(TABLE)} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
      );
      const newest = await newestApplied(tx);
      const migration = MIGRATIONS.find((m) => isPending(m, newest));
      if (!migration) return null;
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`INSERT INTO ${sql.identifier(SCHEMA)}.${sql.identifier(TABLE)} ("hash", "created_at") VALUES (${migration.hash}, ${migration.when})`,
      );
      return { tag: migration.tag, applied: MIGRATIONS.filter((m) => !isPending(m, migration.when)).length };
    });
    if (!done) return { applied, total };
    applied.push(done.tag);
    await onProgress?.({ applied: done.applied, total, tag: done.tag });
  }
}
