#!/usr/bin/env node
// Applies the migrations in drizzle/ as the owner role, e.g. on Neon:
//   MIGRATION_DATABASE_URL='postgres://neondb_owner:…@ep-….neon.tech/neondb?sslmode=require' npm run db:migrate
// With --set-app-password it also gives the application role (callboard_app) LOGIN and a new random
// password, and prints the DATABASE_URL to store with `wrangler secret put DATABASE_URL`.
//
// With --tenant <id> it migrates that tenant's dedicated database instead (issue 12 §3): its owner URL is read, sealed,
// from tenant_databases in the shared database (MIGRATION_DATABASE_URL) and opened with PLATFORM_KEYS:
//   MIGRATION_DATABASE_URL='…' PLATFORM_KEYS='2:…,1:…' npm run db:migrate -- --tenant acme
//
// Locally (`npm start`), when MIGRATION_DATABASE_URL or PLATFORM_KEYS is unset, they come from .data/local.json
// (the owner of the `callboard` database on 127.0.0.1:$PG_PORT, default 54329, and the local platform keys).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { APP_ROLE, runMigrations, setAppRolePassword } from './lib/database.mjs';
import { decryptSecret, parsePlatformKeys } from './lib/secret-box.mjs';

const LOCAL_SECRETS = fileURLToPath(new URL('../.data/local.json', import.meta.url));

/** Exits with a message (2: usage or configuration, 1: a failure on the way). */
function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

/** `--name value` or `--name=value`; undefined when absent, '' when given without a value. */
function option(args, name) {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  if (args[at].startsWith(`${name}=`)) return args[at].slice(name.length + 1);
  const next = args[at + 1];
  return next === undefined || next.startsWith('--') ? '' : next;
}

/** A URL for messages: its password masked. */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/** An error's message with the URL's password masked (a driver may echo a connection string). */
function scrub(message, url) {
  let text = String(message);
  let password = '';
  try {
    password = new URL(url).password;
  } catch {}
  for (const s of [password, safeDecode(password)]) if (s) text = text.split(s).join('***');
  return text;
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What to add to a connection failure: where the local database comes from. */
const hint = (err) =>
  err?.code === 'ECONNREFUSED' && config.local ? ' (is the local stack running? `npm start` starts its Postgres)' : '';

/** MIGRATION_DATABASE_URL and PLATFORM_KEYS from the environment, else from .data/local.json when it exists. */
function configuration() {
  let url = process.env.MIGRATION_DATABASE_URL || undefined;
  let platformKeys = process.env.PLATFORM_KEYS || undefined;
  let local = false;
  if ((!url || !platformKeys) && fs.existsSync(LOCAL_SECRETS)) {
    const secrets = JSON.parse(fs.readFileSync(LOCAL_SECRETS, 'utf8'));
    if (!url && secrets.ownerPassword) {
      const port = Number(process.env.PG_PORT ?? 54329);
      url = `postgres://callboard_owner:${encodeURIComponent(secrets.ownerPassword)}@127.0.0.1:${port}/callboard`;
      local = true;
    }
    if (!platformKeys && secrets.platformKeys) platformKeys = secrets.platformKeys;
  }
  return { url, platformKeys, local };
}

/** The tenant's dedicated database's owner URL, read (sealed) from the shared database and opened. */
async function tenantMigrationUrl(sharedUrl, platformKeys, tenantId) {
  let keys;
  try {
    keys = parsePlatformKeys(platformKeys);
  } catch (err) {
    fail(`PLATFORM_KEYS: ${err.message}. Set PLATFORM_KEYS to the Worker's platform keys ("<version>:<base64 key>,…").`, 2);
  }
  const client = new pg.Client({ connectionString: sharedUrl });
  client.on('error', () => {});
  let row;
  try {
    await client.connect();
    // The owner is bound by FORCE ROW LEVEL SECURITY too: it sees the tenant's rows only with app.tenant_id set.
    await client.query('BEGIN READ ONLY');
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    const tenant = await client.query('SELECT home FROM tenants WHERE id = $1', [tenantId]);
    if (tenant.rowCount === 0) fail(`No tenant ${JSON.stringify(tenantId)} in the shared database (${redact(sharedUrl)}).`);
    const found = await client.query('SELECT migration_url_sealed, generation FROM tenant_databases WHERE tenant_id = $1', [
      tenantId,
    ]);
    await client.query('COMMIT');
    if (found.rowCount === 0) {
      fail(
        `Tenant ${JSON.stringify(tenantId)} has no dedicated database (no tenant_databases row): its data lives in the shared one.`,
      );
    }
    row = found.rows[0];
  } catch (err) {
    if (err?.code === '42P01') {
      fail(`The shared database has no tenant_databases table: migrate it first (npm run db:migrate without --tenant).`);
    }
    fail(
      `Could not read tenant ${JSON.stringify(tenantId)} from the shared database (${redact(sharedUrl)}): ${scrub(err.message, sharedUrl)}${hint(err)}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  let url;
  try {
    url = decryptSecret(keys, row.migration_url_sealed, tenantId);
  } catch (err) {
    fail(
      `Cannot open tenant ${JSON.stringify(tenantId)}'s sealed migration URL: ${err.message}. Are PLATFORM_KEYS the Worker's?`,
    );
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    fail(`Tenant ${JSON.stringify(tenantId)}'s migration URL is not a URL.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    fail(`Tenant ${JSON.stringify(tenantId)}'s migration URL is not a postgres:// URL.`);
  }
  return { url, generation: row.generation };
}

const args = process.argv.slice(2);
const tenantId = option(args, '--tenant');
if (tenantId === '') fail('Usage: npm run db:migrate -- --tenant <tenantId>', 2);

const config = configuration();
if (!config.url) {
  fail('Set MIGRATION_DATABASE_URL to the owner role URL of the database (never the application role).', 2);
}
if (config.local) console.log(`using the local database from .data/local.json: ${redact(config.url)}`);

if (tenantId === undefined) {
  try {
    await runMigrations(config.url);
  } catch (err) {
    fail(`Migrating ${redact(config.url)} failed: ${scrub(err.message, config.url)}${hint(err)}`);
  }
  console.log('migrations applied');
} else {
  if (args.includes('--set-app-password')) {
    fail("--set-app-password is for the shared database; a dedicated database's roles are set where it is provisioned.", 2);
  }
  if (!config.platformKeys) {
    fail("Set PLATFORM_KEYS to the Worker's platform keys: the tenant's database URL is sealed with them.", 2);
  }
  const { url, generation } = await tenantMigrationUrl(config.url, config.platformKeys, tenantId);
  console.log(`migrating tenant ${tenantId}'s dedicated database (generation ${generation}): ${redact(url)}`);
  try {
    await runMigrations(url);
  } catch (err) {
    fail(`Migrating tenant ${tenantId}'s database failed: ${scrub(err.message, url)}`);
  }
  console.log('migrations applied');
}

if (tenantId === undefined && args.includes('--set-app-password')) {
  const url = config.url;
  const password = randomBytes(32).toString('base64url');
  await setAppRolePassword(url, password);
  const app = new URL(url);
  app.username = APP_ROLE;
  app.password = password;
  console.log(`\nDATABASE_URL for the Worker (store it now; it is not shown again):\n${app.toString()}\n`);
  console.log('  npx wrangler secret put DATABASE_URL   # paste it when asked');
  console.log("  (on Neon, use the pooled host, '-pooler' in its name, for the Worker)");
}
