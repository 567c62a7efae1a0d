#!/usr/bin/env node
// Applies the migrations in drizzle/ as the owner role, e.g. on Neon:
//   MIGRATION_DATABASE_URL='postgres://neondb_owner:…@ep-….neon.tech/neondb?sslmode=require' npm run db:migrate
// With --set-app-password it also gives the application role (callboard_app) LOGIN and a new random
// password, and prints the DATABASE_URL to store with `wrangler secret put DATABASE_URL`.
import { randomBytes } from 'node:crypto';
import { APP_ROLE, runMigrations, setAppRolePassword } from './lib/database.mjs';

const url = process.env.MIGRATION_DATABASE_URL;
if (!url) {
  console.error('Set MIGRATION_DATABASE_URL to the owner role URL of the database (never the application role).');
  process.exit(2);
}

await runMigrations(url);
console.log('migrations applied');

if (process.argv.includes('--set-app-password')) {
  const password = randomBytes(32).toString('base64url');
  await setAppRolePassword(url, password);
  const app = new URL(url);
  app.username = APP_ROLE;
  app.password = password;
  console.log(`\nDATABASE_URL for the Worker (store it now; it is not shown again):\n${app.toString()}\n`);
  console.log('  npx wrangler secret put DATABASE_URL   # paste it when asked');
  console.log("  (on Neon, use the pooled host, '-pooler' in its name, for the Worker)");
}
