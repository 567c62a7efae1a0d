import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -- --name <change>` writes a migration from src/db/schema (offline, no database).
// Migrations are applied by scripts/migrate.mjs as the owner role (see README "Deploying").
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
  casing: 'snake_case',
});
