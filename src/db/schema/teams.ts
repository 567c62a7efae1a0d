import { sql } from 'drizzle-orm';
import { foreignKey, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { archivedAt, createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { sites } from './sites';
import { tenants } from './tenants';

export const teams = pgTable(
  'teams',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    siteId: text('site_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: archivedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    // Composite keys keep references inside one tenant at the database level too.
    foreignKey({ name: 'teams_site_fk', columns: [t.tenantId, t.siteId], foreignColumns: [sites.tenantId, sites.id] }),
    uniqueIndex('teams_name_unique').on(t.tenantId, t.name).where(sql`archived_at is null`),
    tenantIsolation(),
  ],
).enableRLS();
