import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIdColumn, tenantIsolation } from './common';
import { historyTimestamp as ts } from './interactions';
import { tenants } from './tenants';

/**
 * What a connector received, with its outcome and raw body, kept for the tenant's raw-retention days:
 * for debugging an integration, and for normalizing again after an adapter fix. Written through the
 * TenantDO's outbox.
 */
export const connectorDeliveries = pgTable(
  'connector_deliveries',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    connectorId: text('connector_id').notNull(),
    receivedAt: ts('received_at').notNull(),
    requestId: text('request_id').notNull(),
    /** accepted (every event accepted or duplicate), partial (some rejected), rejected (refused whole). */
    outcome: text('outcome').notNull(),
    httpStatus: integer('http_status').notNull(),
    /** The signature checked out: only such deliveries are normalized again. */
    verified: boolean('verified').notNull(),
    /** The problem code when refused, or the reason of the first rejected event. */
    reason: text('reason'),
    detail: text('detail'),
    method: text('method').notNull(),
    url: text('url').notNull(),
    contentType: text('content_type'),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    body: text('body').notNull(),
    bodyTruncated: boolean('body_truncated').notNull(),
    events: integer('events').notNull(),
    accepted: integer('accepted').notNull(),
    duplicates: integer('duplicates').notNull(),
    rejected: integer('rejected').notNull(),
    /** Provider events deliberately not mapped (unknown or irrelevant types). */
    ignored: jsonb('ignored').$type<{ what: string; reason: string }[]>().notNull().default(sql`'[]'::jsonb`),
    /** Unverified deliveries over the log's limit this row counts instead of keeping (0 for a delivery's own row). */
    suppressed: integer('suppressed').notNull().default(0),
    /**
     * The exact body sealed with the platform key, when `body` is not it (phone numbers masked, text
     * Postgres cannot hold escaped): what re-normalization reads. Null when `body` is exact.
     */
    bodySealed: text('body_sealed'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    index('connector_deliveries_connector_idx').on(t.tenantId, t.connectorId, t.receivedAt),
    tenantIsolation(),
  ],
).enableRLS();
