import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { agents } from './agents';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { msColumn, historyTimestamp as ts } from './interactions';
import { queues } from './queues';

/**
 * One join → leave of one queue, the unit of queue KPIs. Stores facts (instants, outcome, wait);
 * judgements such as "short abandon" or "within service level" are derived at query time.
 * `version` grows with every change in the owning QueueDO; a flush only overwrites older versions.
 */
export const queueVisits = pgTable(
  'queue_visits',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    interactionId: text('interaction_id').notNull(),
    queueId: text('queue_id').notNull(),
    legId: text('leg_id'),
    enqueuedAt: ts('enqueued_at').notNull(),
    enqueuedAtSource: text('enqueued_at_source').notNull(),
    leftAt: ts('left_at'),
    outcome: text('outcome'),
    closedBy: text('closed_by'),
    waitMs: msColumn('wait_ms'),
    agentId: text('agent_id'),
    answeredAt: ts('answered_at'),
    version: integer('version').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // History keeps its queue and agent: deleting them archives them instead (see services/resources/crud.ts).
    foreignKey({ name: 'queue_visits_queue_fk', columns: [t.tenantId, t.queueId], foreignColumns: [queues.tenantId, queues.id] }),
    foreignKey({ name: 'queue_visits_agent_fk', columns: [t.tenantId, t.agentId], foreignColumns: [agents.tenantId, agents.id] }),
    index('queue_visits_queue_enqueued_idx').on(t.tenantId, t.queueId, t.enqueuedAt),
    // With the interaction, GET /v1/calls?sort=enqueuedAt pages (enqueue instant, call id) in index order.
    index('queue_visits_enqueued_idx').on(t.tenantId, t.enqueuedAt, t.interactionId),
    index('queue_visits_interaction_idx').on(t.tenantId, t.interactionId),
    index('queue_visits_agent_idx').on(t.tenantId, t.agentId, t.enqueuedAt),
    tenantIsolation(),
  ],
).enableRLS();

/** One agent's handling of one interaction: talk (without hold), hold, after-call work. */
export const agentSegments = pgTable(
  'agent_segments',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    interactionId: text('interaction_id').notNull(),
    agentId: text('agent_id').notNull(),
    queueId: text('queue_id').notNull(),
    visitId: text('visit_id'),
    connectedAt: ts('connected_at').notNull(),
    disconnectedAt: ts('disconnected_at'),
    talkMs: msColumn('talk_ms'),
    holdMs: msColumn('hold_ms').notNull(),
    holdCount: integer('hold_count').notNull(),
    wrapupStartedAt: ts('wrapup_started_at'),
    wrapupEndedAt: ts('wrapup_ended_at'),
    acwMs: msColumn('acw_ms'),
    transferred: boolean('transferred').notNull(),
    endedBy: text('ended_by'),
    version: integer('version').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'agent_segments_agent_fk',
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }),
    foreignKey({
      name: 'agent_segments_queue_fk',
      columns: [t.tenantId, t.queueId],
      foreignColumns: [queues.tenantId, queues.id],
    }),
    index('agent_segments_agent_idx').on(t.tenantId, t.agentId, t.connectedAt),
    // KPI rollups and queries read a time range's segments across agents.
    index('agent_segments_connected_idx').on(t.tenantId, t.connectedAt),
    index('agent_segments_interaction_idx').on(t.tenantId, t.interactionId),
    tenantIsolation(),
  ],
).enableRLS();

/** Agent presence history: one row per state change, ended by the next one. Written by the TenantDO. */
export const agentStateIntervals = pgTable(
  'agent_state_intervals',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    agentId: text('agent_id').notNull(),
    state: text('state').notNull(),
    reason: text('reason'),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    version: integer('version').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'agent_state_intervals_agent_fk',
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }),
    index('agent_state_intervals_agent_idx').on(t.tenantId, t.agentId, t.startedAt),
    // KPI rollups recompute recent buckets: the intervals that ended after a bucket began.
    index('agent_state_intervals_ended_idx').on(t.tenantId, t.endedAt),
    // KPIs count open intervals up to the moment they are asked (rollups hold closed ones only).
    index('agent_state_intervals_open_idx').on(t.tenantId, t.agentId).where(sql`ended_at IS NULL`),
    tenantIsolation(),
  ],
).enableRLS();
