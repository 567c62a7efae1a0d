// Prepares the Callboard database the way production has it: an owner role that runs the migrations
// (not a superuser, like Neon's owner), and the application role `callboard_app` (created by the
// migrations) with LOGIN and a password, which the Worker connects as so RLS applies.
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
export const APP_ROLE = 'callboard_app';

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function withUser(url, user, password) {
  const u = new URL(url);
  u.username = user;
  u.password = encodeURIComponent(password);
  return u.toString();
}

async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Applies the migrations in drizzle/ as the given (owner) role. */
export async function runMigrations(ownerUrl) {
  const client = await connect(ownerUrl);
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end();
  }
}

/** Gives the application role LOGIN and a password (run as the owner, which created the role). */
export async function setAppRolePassword(ownerUrl, password) {
  const client = await connect(ownerUrl);
  try {
    await client.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}

/**
 * On a local server: creates the owner role and the database if missing, migrates as the owner,
 * and sets the application role's password. Returns the owner's and the application's URLs.
 * @param {{ superUrl: string, database?: string, ownerPassword: string, appPassword: string }} options
 */
export async function prepareLocalDatabase({ superUrl, database = 'callboard', ownerPassword, appPassword }) {
  const owner = 'callboard_owner';
  const su = await connect(superUrl);
  try {
    const lit = su.escapeLiteral(ownerPassword);
    const exists = await su.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner]);
    if (exists.rowCount === 0) await su.query(`CREATE ROLE ${owner} LOGIN CREATEROLE PASSWORD ${lit}`);
    else await su.query(`ALTER ROLE ${owner} LOGIN CREATEROLE PASSWORD ${lit}`);
    const db = await su.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (db.rowCount === 0) await su.query(`CREATE DATABASE ${database} OWNER ${owner}`);
  } finally {
    await su.end();
  }
  const ownerUrl = withUser(withDatabase(superUrl, database), owner, ownerPassword);
  await runMigrations(ownerUrl);
  await setAppRolePassword(ownerUrl, appPassword);
  return { ownerUrl, appUrl: withUser(withDatabase(superUrl, database), APP_ROLE, appPassword) };
}
