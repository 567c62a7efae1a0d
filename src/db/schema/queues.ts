import { sql } from 'drizzle-orm';
import { foreignKey, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { ServiceLevelOverrideSchema } from '../../domain/settings';
import { archivedAt, createdAt, jsonbOf, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { sites } from './sites';
import { tenants } from './tenants';

export const queues = pgTable(
  'queues',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    siteId: text('site_id'),
    /** Per-queue override of the tenant's service-level policy (only the fields that differ). */
    serviceLevel: jsonbOf('service_level', ServiceLevelOverrideSchema),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: archivedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    foreignKey({ name: 'queues_site_fk', columns: [t.tenantId, t.siteId], foreignColumns: [sites.tenantId, sites.id] }),
    uniqueIndex('queues_name_unique').on(t.tenantId, t.name).where(sql`archived_at is null`),
    tenantIsolation(),
  ],
).enableRLS();

/** A provider's own identifier for a queue (Twilio TaskQueue SID, Asterisk queue name, ...). */
export const queueExternalKeys = pgTable(
  'queue_external_keys',
  {
    tenantId: tenantIdColumn(),
    queueId: text('queue_id').notNull(),
    provider: text('provider').notNull(),
    key: text('key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'queue_external_keys_unique', columns: [t.tenantId, t.provider, t.key] }),
    foreignKey({ columns: [t.tenantId, t.queueId], foreignColumns: [queues.tenantId, queues.id] }).onDelete('cascade'),
    index('queue_external_keys_queue_idx').on(t.tenantId, t.queueId),
    tenantIsolation(),
  ],
).enableRLS();
