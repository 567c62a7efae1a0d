import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../scripts/lib/database.mjs';

// Migrations that move data run on a database holding history, as the owner role they run as in production
// (not a superuser; row-level security binds it too): a fresh database migrated up to the one before, given
// rows, then migrated to the end.

const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

async function connected(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** The migrations folder with only the migrations before `tag` (their journal trimmed to match). */
function migrationsBefore(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callboard-migrations-'));
  fs.cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8'));
  const at = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

async function databaseBefore(tag: string) {
  const name = `migrations_${randomBytes(4).toString('hex')}`;
  const su = await connected(inject('superDatabaseUrl'));
  const owner = new URL(inject('ownerDatabaseUrl')).username;
  await su.query(`CREATE DATABASE ${name} OWNER ${owner}`);
  cleanup.push(async () => {
    await su.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await su.end();
  });
  const ownerUrl = withDatabase(inject('ownerDatabaseUrl'), name);
  const folder = migrationsBefore(tag);
  cleanup.push(async () => fs.rmSync(folder, { recursive: true, force: true }));
  const client = await connected(ownerUrl);
  try {
    await migrate(drizzle(client), { migrationsFolder: folder });
  } finally {
    await client.end();
  }
  return {
    ownerUrl,
    superuser: async () => {
      const c = await connected(withDatabase(inject('superDatabaseUrl'), name));
      cleanup.push(() => c.end());
      return c;
    },
    migrateToEnd: async () => {
      const c = await connected(ownerUrl);
      try {
        await migrate(drizzle(c), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await c.end();
      }
    },
  };
}

describe('0012_kpi_wait_arrays', () => {
  it('drops rollups of the old shape and lists every bucket with history dirty, with row-level security forced again', async () => {
    const db = await databaseBefore('0012_kpi_wait_arrays');
    const su = await db.superuser();
    // History and an old-shape rollup row, as a tenant had them (written as the superuser: no tenant is set here).
    await su.query(`INSERT INTO tenants (id, name, settings) VALUES ('t1', 'T', '{}')`);
    await su.query(`INSERT INTO queues (tenant_id, id, name) VALUES ('t1', 'q1', 'Q')`);
    await su.query(`INSERT INTO agents (tenant_id, id, name) VALUES ('t1', 'a1', 'A')`);
    await su.query(`
      INSERT INTO queue_visits (tenant_id, id, interaction_id, queue_id, enqueued_at, enqueued_at_source, outcome, closed_by, wait_ms, version)
      VALUES ('t1', 'v1', 'i1', 'q1', '2026-03-02T10:07:00Z', 'provider', 'abandoned', 'event', 4000, 1)`);
    await su.query(`
      INSERT INTO agent_state_intervals (tenant_id, id, agent_id, state, started_at, ended_at, version)
      VALUES ('t1', 'x1', 'a1', 'away', '2026-03-02T11:50:00Z', '2026-03-02T12:20:00Z', 1)`);
    await su.query(`
      INSERT INTO kpi_cells (tenant_id, bucket_start, queue_id, agent_id, facts)
      VALUES ('t1', ${Date.parse('2026-03-02T10:00:00Z')}, 'q1', '', '{"visits":{"byOutcome":{"abandoned":{"n":1,"bySecond":{"4":1}}}}}')`);

    await db.migrateToEnd();

    expect((await su.query('SELECT count(*)::int AS n FROM kpi_cells')).rows[0].n).toBe(0);
    const dirty = (await su.query(`SELECT bucket_start FROM kpi_dirty_buckets WHERE tenant_id = 't1' ORDER BY 1`)).rows.map((r) =>
      new Date(Number(r.bucket_start)).toISOString(),
    );
    expect(dirty).toEqual([
      '2026-03-02T10:00:00.000Z', // the visit
      '2026-03-02T11:45:00.000Z', // the away interval, 11:50–12:20
      '2026-03-02T12:00:00.000Z',
      '2026-03-02T12:15:00.000Z',
    ]);
    const forced = await su.query(`
      SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
        AND relrowsecurity AND NOT relforcerowsecurity ORDER BY 1`);
    expect(forced.rows).toEqual([]);
    const storage = await su.query(`
      SELECT attrelid::regclass::text AS t, attname, attstorage FROM pg_attribute
      WHERE attrelid IN ('kpi_cells'::regclass, 'kpi_day_cells'::regclass) AND attname IN ('facts', 'wait_keys', 'wait_totals')
      ORDER BY 1, 2`);
    expect(storage.rows.map((r) => `${r.t}.${r.attname}:${r.attstorage}`)).toEqual([
      'kpi_cells.facts:m',
      'kpi_cells.wait_keys:m',
      'kpi_cells.wait_totals:m',
      'kpi_day_cells.facts:m',
      'kpi_day_cells.wait_keys:m',
      'kpi_day_cells.wait_totals:m',
    ]);
    const options = await su.query(
      `SELECT relname, reloptions FROM pg_class WHERE relname IN ('kpi_cells', 'kpi_day_cells') ORDER BY 1`,
    );
    expect(options.rows).toEqual([
      { relname: 'kpi_cells', reloptions: ['toast_tuple_target=8160'] },
      { relname: 'kpi_day_cells', reloptions: ['toast_tuple_target=8160'] },
    ]);
  });
});

describe('0024_outbound_attempts_index', () => {
  it('lists the buckets where outbound calls of the history started dirty (their rollups hold no attempts), with row-level security forced again', async () => {
    const db = await databaseBefore('0024_outbound_attempts_index');
    const su = await db.superuser();
    await su.query(`INSERT INTO tenants (id, name, settings) VALUES ('t1', 'T', '{}')`);
    await su.query(`
      INSERT INTO interactions (tenant_id, id, direction, started_at, first_event_at, last_event_at) VALUES
        ('t1', 'o1', 'outbound', '2026-03-02T10:07:00Z', '2026-03-02T10:07:00Z', '2026-03-02T10:09:00Z'),
        ('t1', 'o2', 'outbound', '2026-03-02T10:14:59.999Z', '2026-03-02T10:14:59.999Z', '2026-03-02T10:20:00Z'),
        ('t1', 'o3', 'outbound', NULL, '2026-03-02T11:00:00Z', '2026-03-02T11:01:00Z'),
        ('t1', 'i1', 'inbound', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z', '2026-03-02T12:01:00Z')`);

    await db.migrateToEnd();

    const dirty = (await su.query(`SELECT bucket_start FROM kpi_dirty_buckets WHERE tenant_id = 't1' ORDER BY 1`)).rows.map((r) =>
      new Date(Number(r.bucket_start)).toISOString(),
    );
    // o1 and o2 started in the 10:00 bucket; o3 has no start and i1 is inbound.
    expect(dirty).toEqual(['2026-03-02T10:00:00.000Z']);
    const forced = await su.query(`
      SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
        AND relrowsecurity AND NOT relforcerowsecurity ORDER BY 1`);
    expect(forced.rows).toEqual([]);
  });
});

describe('0026_agent_outbound_contacts', () => {
  it('lists the buckets of segments of dispositioned outbound calls dirty (their agent cells hold no contacts), with row-level security forced again', async () => {
    const db = await databaseBefore('0026_agent_outbound_contacts');
    const su = await db.superuser();
    await su.query(`INSERT INTO tenants (id, name, settings) VALUES ('t1', 'T', '{}')`);
    await su.query(`INSERT INTO queues (tenant_id, id, name) VALUES ('t1', 'q1', 'Q')`);
    await su.query(`INSERT INTO agents (tenant_id, id, name) VALUES ('t1', 'a1', 'A')`);
    await su.query(`
      INSERT INTO interactions (tenant_id, id, direction, started_at, first_event_at, last_event_at, disposition) VALUES
        ('t1', 'o1', 'outbound', '2026-03-02T09:58:00Z', '2026-03-02T09:58:00Z', '2026-03-02T10:40:00Z',
         '{"resolved":true,"code":null,"category":"rpc","at":1772444400000}'),
        ('t1', 'o2', 'outbound', '2026-03-02T11:00:00Z', '2026-03-02T11:00:00Z', '2026-03-02T11:10:00Z',
         '{"resolved":true,"code":null,"at":1772449800000}'),
        ('t1', 'o3', 'outbound', NULL, '2026-03-02T12:00:00Z', '2026-03-02T12:10:00Z',
         '{"resolved":true,"code":null,"category":"rpc","at":1772453400000}'),
        ('t1', 'i1', 'inbound', '2026-03-02T13:00:00Z', '2026-03-02T13:00:00Z', '2026-03-02T13:10:00Z',
         '{"resolved":true,"code":null,"category":"rpc","at":1772457000000}')`);
    const segment = (id: string, call: string, at: string) => `('t1', '${id}', '${call}', 'a1', 'q1', '${at}', 0, 0, false, 1)`;
    await su.query(`
      INSERT INTO agent_segments (tenant_id, id, interaction_id, agent_id, queue_id, connected_at, hold_ms, hold_count, transferred, version) VALUES
        ${segment('s1', 'o1', '2026-03-02T10:01:00Z')}, ${segment('s2', 'o1', '2026-03-02T10:31:00Z')},
        ${segment('s3', 'o2', '2026-03-02T11:01:00Z')}, ${segment('s4', 'o3', '2026-03-02T12:01:00Z')},
        ${segment('s5', 'i1', '2026-03-02T13:01:00Z')}`);

    await db.migrateToEnd();

    const dirty = (await su.query(`SELECT bucket_start FROM kpi_dirty_buckets WHERE tenant_id = 't1' ORDER BY 1`)).rows.map((r) =>
      new Date(Number(r.bucket_start)).toISOString(),
    );
    // o1's two segments (the last one's bucket among them); o2 has no category, o3 no start, i1 is inbound.
    expect(dirty).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-02T10:30:00.000Z']);
    const forced = await su.query(`
      SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
        AND relrowsecurity AND NOT relforcerowsecurity ORDER BY 1`);
    expect(forced.rows).toEqual([]);
  });
});
