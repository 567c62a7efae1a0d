import { sql } from 'drizzle-orm';
import { boolean, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Where a tenant wants its events sent (docs/webhooks-out.md). The signing secret is sealed with the
 * platform key (AES-GCM, bound to the endpoint id) like connector secrets; the WebhookSenderDO holds a
 * mirror, written through on every change. `revision` grows with every admin change: the sender's own
 * change (disabling an endpoint that keeps failing) applies only to the revision it saw.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Event types, families (`alert.*`) or `*`. */
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    secretSealed: text('secret_sealed').notNull(),
    /** After a rotation deliveries are signed with the previous secret too until this instant. */
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: ts('previous_secret_expires_at'),
    /** Set when Callboard disabled the endpoint because its deliveries kept failing; cleared when re-enabled. */
    disabledAt: ts('disabled_at'),
    disabledReason: text('disabled_reason'),
    revision: integer('revision').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Every attempt to send a message to an endpoint, written by the WebhookSenderDO through its outbox. No
 * foreign key to the endpoint: an attempt may reach Postgres after its endpoint was deleted (it is then
 * skipped), and deleting an endpoint deletes its log.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    /** The `webhook-id` header: the same on every attempt of a message, and for every endpoint it went to. */
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    attempt: integer('attempt').notNull(),
    status: text('status').notNull(),
    httpStatus: integer('http_status'),
    responseBody: text('response_body'),
    responseTruncated: boolean('response_truncated').notNull().default(false),
    error: text('error'),
    durationMs: integer('duration_ms'),
    attemptedAt: ts('attempted_at').notNull(),
    nextAttemptAt: ts('next_attempt_at'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    // Newest first per endpoint: ids are ULIDs of the attempt's time.
    index('webhook_deliveries_endpoint_idx').on(t.tenantId, t.endpointId, t.id),
    index('webhook_deliveries_attempted_idx').on(t.tenantId, t.attemptedAt),
    check('webhook_deliveries_status_check', sql`${t.status} in ('delivered', 'failed', 'given_up')`),
    tenantIsolation(),
  ],
).enableRLS();
