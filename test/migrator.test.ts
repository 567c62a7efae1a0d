import { Pool } from '@neondatabase/serverless';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client';
import { MIGRATIONS } from '../src/db/migrations-bundle';
import { applyMigrations, migrationStatus } from '../src/db/migrator';
import { env } from './helpers/env';

// The Worker's migrator (issue 12 §3: a tenant's dedicated database is migrated from the Worker) on fresh databases,
// each owned by an owner role of its own (not a superuser, like Neon's owner), through the Neon driver and proxy.

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

const withDatabase = (url: string, database: string, user?: string, password?: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) u.username = user;
  if (password) u.password = password;
  return u.toString();
};

async function asSuperuser(statements: string[]) {
  openDatabase({ DATABASE_URL: env.TEST_SUPER_DATABASE_URL, NEON_WS_PROXY: env.NEON_WS_PROXY }); // points the driver at the proxy
  const pool = new Pool({ connectionString: env.TEST_SUPER_DATABASE_URL, max: 1 });
  pool.on('error', () => {});
  try {
    for (const statement of statements) await pool.query(statement);
  } finally {
    await pool.end();
  }
}

/** A new empty database owned by a new owner role (LOGIN CREATEROLE), as prepareLocalDatabase makes one; its owner URL. */
async function freshDatabase(): Promise<string> {
  const suffix = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
  const role = `migrator_owner_${suffix}`;
  const database = `migrator_${suffix}`;
  const password = crypto.randomUUID();
  await asSuperuser([`CREATE ROLE ${role} LOGIN CREATEROLE PASSWORD '${password}'`, `CREATE DATABASE ${database} OWNER ${role}`]);
  cleanup.push(() => asSuperuser([`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, `DROP ROLE IF EXISTS ${role}`]));
  return withDatabase(env.TEST_SUPER_DATABASE_URL, database, role, password);
}

function open(url: string) {
  const handle = openDatabase({ DATABASE_URL: url, NEON_WS_PROXY: env.NEON_WS_PROXY });
  cleanup.push(handle.close);
  return handle.db;
}

async function bookkeeping(url: string) {
  const db = open(url);
  const result = await db.execute('SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id');
  return result.rows.map((r) => ({ hash: r.hash, when: Number(r.created_at) }));
}

const tags = MIGRATIONS.map((m) => m.tag);

describe('applyMigrations / migrationStatus', () => {
  it('migrates a fresh database whole, with drizzle’s own bookkeeping, and a second run applies nothing', async () => {
    const url = await freshDatabase();
    const db = open(url);
    expect(await migrationStatus(db)).toEqual({ applied: 0, total: tags.length, pending: tags });

    const progress: { applied: number; total: number; tag: string }[] = [];
    const first = await applyMigrations(db, (p) => {
      progress.push(p);
    });
    expect(first).toEqual({ applied: tags, total: tags.length });
    expect(progress).toEqual(tags.map((tag, i) => ({ applied: i + 1, total: tags.length, tag })));
    expect(await migrationStatus(db)).toEqual({ applied: tags.length, total: tags.length, pending: [] });
    // Exactly the rows drizzle's node migrator writes (test/node/migrations-bundle.test.ts checks those are the same).
    expect(await bookkeeping(url)).toEqual(MIGRATIONS.map((m) => ({ hash: m.hash, when: m.when })));

    expect(await applyMigrations(db)).toEqual({ applied: [], total: tags.length });
    expect(await bookkeeping(url)).toHaveLength(tags.length);

    // The schema is the one the migrations make: e.g. the last migration's table, with row-level security forced.
    const forced = await db.execute(
      "SELECT relforcerowsecurity AS forced FROM pg_class WHERE relname = 'tenant_databases' AND relnamespace = 'public'::regnamespace",
    );
    expect(forced.rows).toEqual([{ forced: true }]);
  }, 120_000);

  it('sees nothing pending on a database drizzle’s node migrator migrated (the shared test database)', async () => {
    const db = open(env.TEST_OWNER_DATABASE_URL);
    expect(await migrationStatus(db)).toEqual({ applied: tags.length, total: tags.length, pending: [] });
    expect(await applyMigrations(db)).toEqual({ applied: [], total: tags.length });
  });

  it('two runs at once both succeed, and each migration is applied and recorded exactly once', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([applyMigrations(open(url)), applyMigrations(open(url))]);
    expect([...a.applied, ...b.applied].sort()).toEqual([...tags].sort());
    expect(await bookkeeping(url)).toEqual(MIGRATIONS.map((m) => ({ hash: m.hash, when: m.when })));
    expect(await migrationStatus(open(url))).toEqual({ applied: tags.length, total: tags.length, pending: [] });
  }, 120_000);
});

describe('the dedicated test server (test/global-setup.ts)', () => {
  it('is reachable from workerd as the owner and as callboard_app, in tenant_a and tenant_b', async () => {
    const urls = [
      [env.TEST_DEDICATED_OWNER_URL_A, 'callboard_owner', 'tenant_a'],
      [env.TEST_DEDICATED_APP_URL_A, 'callboard_app', 'tenant_a'],
      [env.TEST_DEDICATED_OWNER_URL_B, 'callboard_owner', 'tenant_b'],
      [env.TEST_DEDICATED_APP_URL_B, 'callboard_app', 'tenant_b'],
    ] as const;
    for (const [url, user, database] of urls) {
      expect(new URL(url).port).not.toBe(new URL(env.TEST_OWNER_DATABASE_URL).port);
      const who = await open(url).execute(
        'SELECT current_user AS user, current_database() AS database, r.rolsuper AS super FROM pg_roles r WHERE r.rolname = current_user',
      );
      expect(who.rows).toEqual([{ user, database, super: false }]);
    }
  });
});
