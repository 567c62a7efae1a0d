import { foreignKey, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantIdColumn, tenantIsolation } from './common';
import { historyTimestamp as ts } from './interactions';
import { tenants } from './tenants';

/** The normalized event log: every accepted event once (insert-or-ignore on its id). */
export const events = pgTable(
  'events',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    type: text('type').notNull(),
    provider: text('provider').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    occurredAtSource: text('occurred_at_source').notNull(),
    receivedAt: ts('received_at').notNull(),
    interactionId: text('interaction_id'),
    legId: text('leg_id'),
    queueId: text('queue_id'),
    agentId: text('agent_id'),
    queueKey: text('queue_key'),
    agentKey: text('agent_key'),
    attrs: jsonb('attrs').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    index('events_interaction_idx').on(t.tenantId, t.interactionId, t.occurredAt),
    index('events_occurred_idx').on(t.tenantId, t.occurredAt),
    tenantIsolation(),
  ],
).enableRLS();
