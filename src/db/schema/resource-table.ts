import { sql } from 'drizzle-orm';
import { type AnyPgColumn, foreignKey, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { archivedAt, createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

/** Columns every admin resource has: tenant, id, name, timestamps, archive mark. */
export const resourceColumns = () => ({
  tenantId: tenantIdColumn(),
  id: text('id').notNull(),
  name: text('name').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  archivedAt: archivedAt(),
});

/**
 * Key `(tenant_id, id)`, the tenant reference, the RLS policy and, unless the resource allows
 * namesakes, a name unique among its live (not archived) rows.
 */
export function resourceConstraints(
  table: string,
  t: { tenantId: AnyPgColumn; id: AnyPgColumn; name: AnyPgColumn },
  uniqueName = true,
) {
  return [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    ...(uniqueName ? [uniqueIndex(`${table}_name_unique`).on(t.tenantId, t.name).where(sql`archived_at is null`)] : []),
    tenantIsolation(),
  ];
}

/**
 * A provider's own identifiers for a resource (Twilio SIDs, an Asterisk queue name, a SIP extension):
 * each (provider, key) names one resource of the tenant, and goes with it.
 */
export function externalKeysTable<Owner extends string>(
  name: string,
  ownerColumn: Owner,
  owner: { tenantId: AnyPgColumn; id: AnyPgColumn },
) {
  return pgTable(
    name,
    {
      tenantId: tenantIdColumn(),
      owner: text(ownerColumn).notNull(),
      provider: text('provider').notNull(),
      key: text('key').notNull(),
      createdAt: createdAt(),
    },
    (t) => [
      primaryKey({ name: `${name}_unique`, columns: [t.tenantId, t.provider, t.key] }),
      foreignKey({ columns: [t.tenantId, t.owner], foreignColumns: [owner.tenantId, owner.id] }).onDelete('cascade'),
      index(`${name}_${ownerColumn.replace(/_id$/, '')}_idx`).on(t.tenantId, t.owner),
      tenantIsolation(),
    ],
  ).enableRLS();
}
