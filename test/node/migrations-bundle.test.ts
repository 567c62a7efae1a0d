import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BUNDLE_FILE, readMigrations, renderBundle } from '../../scripts/bundle-migrations.mjs';
import { MIGRATIONS_FOLDER, runMigrations } from '../../scripts/lib/database.mjs';
import { MIGRATIONS } from '../../src/db/migrations-bundle';

// The Worker's migrator (src/db/migrator.ts) applies src/db/migrations-bundle.ts, generated from drizzle/: a
// migration added or edited without `node scripts/bundle-migrations.mjs` (or `npm run db:generate`) fails here.

const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

describe('src/db/migrations-bundle.ts', () => {
  it('holds exactly the migrations of drizzle/, with the hashes and statements drizzle’s own migrator derives', () => {
    const drizzles = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
    expect(MIGRATIONS.map((m) => m.tag)).toEqual(readMigrations().map((m) => m.tag));
    expect(MIGRATIONS.map((m) => ({ when: m.when, hash: m.hash, statements: m.statements }))).toEqual(
      drizzles.map((m) => ({ when: m.folderMillis, hash: m.hash, statements: m.sql })),
    );
  });

  it('is byte for byte what the script writes now (run `node scripts/bundle-migrations.mjs` when this fails)', () => {
    const formatted = spawnSync(
      path.join('node_modules', '.bin', 'biome'),
      ['format', `--stdin-file-path=${path.relative(process.cwd(), BUNDLE_FILE)}`],
      { input: renderBundle(readMigrations()), encoding: 'utf8' },
    );
    expect(formatted.status, formatted.stderr).toBe(0);
    expect(fs.readFileSync(BUNDLE_FILE, 'utf8')).toBe(formatted.stdout);
  });

  it('lists migrations in increasing `when`, which the one-at-a-time migrator relies on', () => {
    const whens = MIGRATIONS.map((m) => m.when);
    expect(whens).toEqual([...new Set(whens)].sort((x, y) => x - y));
  });

  it('a database migrated by drizzle’s node migrator records exactly the bundle’s hashes and whens', async () => {
    const name = `bundle_${randomBytes(4).toString('hex')}`;
    const su = new pg.Client({ connectionString: inject('superDatabaseUrl') });
    await su.connect();
    const owner = new URL(inject('ownerDatabaseUrl')).username;
    await su.query(`CREATE DATABASE ${name} OWNER ${owner}`);
    cleanup.push(async () => {
      await su.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await su.end();
    });
    await runMigrations(withDatabase(inject('ownerDatabaseUrl'), name));
    const c = new pg.Client({ connectionString: withDatabase(inject('ownerDatabaseUrl'), name) });
    await c.connect();
    try {
      const rows = (await c.query('SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id')).rows;
      expect(rows.map((r) => ({ hash: r.hash, when: Number(r.created_at) }))).toEqual(
        MIGRATIONS.map((m) => ({ hash: m.hash, when: m.when })),
      );
    } finally {
      await c.end();
    }
  });
});
