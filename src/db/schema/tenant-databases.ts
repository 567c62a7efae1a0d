import { foreignKey, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

/**
 * A tenant's own Postgres database (docs/dedicated-databases.md), kept in the shared database only: where its
 * reads and writes go once `active`. Both connection strings are sealed under the platform keys, bound to the
 * tenant id: the application role's (RLS applies to it) and the owner's, which applies migrations.
 * No row: the tenant lives in the shared database.
 */
export const tenantDatabases = pgTable(
  'tenant_databases',
  {
    tenantId: text('tenant_id').primaryKey(),
    databaseUrlSealed: text('database_url_sealed').notNull(),
    migrationUrlSealed: text('migration_url_sealed').notNull(),
    /** Bumped on every change of route, so a cached route can be told from the current one. */
    generation: integer('generation').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'), tenantIsolation()],
).enableRLS();
