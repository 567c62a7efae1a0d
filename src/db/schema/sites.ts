import { sql } from 'drizzle-orm';
import { foreignKey, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { archivedAt, createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

export const sites = pgTable(
  'sites',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** IANA zone of the site when it differs from the tenant's. */
    timeZone: text('time_zone'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: archivedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    uniqueIndex('sites_name_unique').on(t.tenantId, t.name).where(sql`archived_at is null`),
    tenantIsolation(),
  ],
).enableRLS();
