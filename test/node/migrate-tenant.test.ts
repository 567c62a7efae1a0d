import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../src/db/migrations-bundle';
import { encryptSecret, generatePlatformKey, parsePlatformKeys } from '../../src/lib/secret-box';
import { TEST_PLATFORM_KEYS } from '../constants';

// `npm run db:migrate -- --tenant <id>` end to end (issue 12 §3): the tenant's sealed owner URL is read from
// tenant_databases in the shared (test) database, opened with PLATFORM_KEYS, and that database is migrated.

const SCRIPT = fileURLToPath(new URL('../../scripts/migrate.mjs', import.meta.url));

const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

/** The script as a child process, with only these two of its settings (none from .data/local.json). */
function migrate(args: string[], env: { MIGRATION_DATABASE_URL: string; PLATFORM_KEYS: string }) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

const suffix = randomBytes(4).toString('hex');
const dedicated = `tenant_db_${suffix}`;
const tenant = `t_migrate_${suffix}`;
const sharedOnly = `t_shared_${suffix}`;
let su: pg.Client;
let targetUrl: string;
let sharedUrl: string;

beforeAll(async () => {
  sharedUrl = inject('ownerDatabaseUrl');
  su = new pg.Client({ connectionString: inject('superDatabaseUrl') });
  await su.connect();
  // The tenant's own database: empty, owned by the owner role (as on the dedicated server), on this test server.
  await su.query(`CREATE DATABASE ${dedicated} OWNER ${new URL(sharedUrl).username}`);
  targetUrl = withDatabase(sharedUrl, dedicated);
  const shared = new pg.Client({
    connectionString: withDatabase(inject('superDatabaseUrl'), new URL(sharedUrl).pathname.slice(1)),
  });
  await shared.connect();
  try {
    const keys = parsePlatformKeys(TEST_PLATFORM_KEYS);
    await shared.query(`INSERT INTO tenants (id, name, settings) VALUES ($1, 'Migrated', '{}'), ($2, 'Shared', '{}')`, [
      tenant,
      sharedOnly,
    ]);
    await shared.query(
      'INSERT INTO tenant_databases (tenant_id, database_url_sealed, migration_url_sealed) VALUES ($1, $2, $3)',
      [
        tenant,
        await encryptSecret(keys, 'postgres://callboard_app:unused@127.0.0.1:1/unused', tenant),
        await encryptSecret(keys, targetUrl, tenant),
      ],
    );
  } finally {
    await shared.end();
  }
});

afterAll(async () => {
  const shared = new pg.Client({
    connectionString: withDatabase(inject('superDatabaseUrl'), new URL(sharedUrl).pathname.slice(1)),
  });
  await shared.connect();
  await shared.query('DELETE FROM tenants WHERE id = ANY($1)', [[tenant, sharedOnly]]).catch(() => {});
  await shared.end();
  await su.query(`DROP DATABASE IF EXISTS ${dedicated} WITH (FORCE)`).catch(() => {});
  await su.end();
});

async function recorded(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY id')).rows.map((r) => ({
      hash: r.hash,
      when: Number(r.created_at),
    }));
  } finally {
    await c.end();
  }
}

const passwords = () => [new URL(sharedUrl).password, new URL(targetUrl).password];

describe('npm run db:migrate -- --tenant <id>', () => {
  it("migrates the tenant's dedicated database, never printing a password; a second run applies nothing", async () => {
    const env = { MIGRATION_DATABASE_URL: sharedUrl, PLATFORM_KEYS: TEST_PLATFORM_KEYS };
    const first = await migrate(['--tenant', tenant], env);
    expect(first, first.output).toMatchObject({ code: 0 });
    expect(first.output).toContain(`migrating tenant ${tenant}'s dedicated database (generation 1)`);
    expect(first.output).toContain(`/${dedicated}`);
    expect(first.output).toContain('migrations applied');
    for (const p of passwords()) expect(first.output).not.toContain(p);
    expect(await recorded(targetUrl)).toEqual(MIGRATIONS.map((m) => ({ hash: m.hash, when: m.when })));

    const again = await migrate([`--tenant=${tenant}`], env);
    expect(again, again.output).toMatchObject({ code: 0 });
    expect(await recorded(targetUrl)).toHaveLength(MIGRATIONS.length);
  });

  it('says so when the tenant is unknown or has no dedicated database, or the keys cannot open its URL', async () => {
    const env = { MIGRATION_DATABASE_URL: sharedUrl, PLATFORM_KEYS: TEST_PLATFORM_KEYS };
    const cases: [string[], typeof env, number, RegExp][] = [
      [['--tenant', `nobody_${suffix}`], env, 1, /No tenant "nobody_[0-9a-f]+" in the shared database/],
      [['--tenant', sharedOnly], env, 1, /has no dedicated database/],
      [['--tenant'], env, 2, /Usage: npm run db:migrate -- --tenant <tenantId>/],
      [['--tenant', tenant, '--set-app-password'], env, 2, /--set-app-password is for the shared database/],
      [['--tenant', tenant], { ...env, PLATFORM_KEYS: `2:${generatePlatformKey()}` }, 1, /could not be decrypted/],
      [['--tenant', tenant], { ...env, PLATFORM_KEYS: `7:${generatePlatformKey()}` }, 1, /platform key version 2, which is not/],
      [['--tenant', tenant], { ...env, PLATFORM_KEYS: '1:c2hvcnQ=' }, 2, /PLATFORM_KEYS: Platform key version 1 is 5 bytes/],
    ];
    for (const [args, caseEnv, code, message] of cases) {
      const run = await migrate(args, caseEnv);
      expect(run.code, run.output).toBe(code);
      expect(run.output).toMatch(message);
      for (const p of passwords()) expect(run.output).not.toContain(p);
    }
  });
});
