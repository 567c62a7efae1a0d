import { bigint, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { PackedFacts } from '../../domain/kpi/packed';
import { tenantIdColumn, tenantIsolation, updatedAt } from './common';

/**
 * KPI rollups: the facts of one 15-minute UTC bucket × cell (src/domain/kpi/facts.ts: a queue, a queue × agent,
 * an agent, or the tenant), packed (src/domain/kpi/packed.ts). Every real zone offset is a multiple of 15 minutes,
 * so any period of any zone is a union of buckets. Derived data: each flush recomputes the buckets it touched from
 * the records, in its own transaction (src/db/kpi-rollups.ts), never adding to what is there. Closed state
 * intervals only: open ones are counted at query time. `queue_id`/`agent_id` are '' for "none" (key columns).
 */
export const kpiCells = pgTable(
  'kpi_cells',
  {
    tenantId: tenantIdColumn(),
    /** Epoch ms of the bucket's start. */
    bucketStart: bigint('bucket_start', { mode: 'number' }).notNull(),
    queueId: text('queue_id').notNull(),
    agentId: text('agent_id').notNull(),
    facts: jsonb('facts').$type<PackedFacts>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.bucketStart, t.queueId, t.agentId] }),
    index('kpi_cells_agent_idx').on(t.tenantId, t.agentId, t.bucketStart),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Buckets whose cells may not match the records: history older than the rollups (the migration that added them
 * lists every bucket with records), or a flush whose refresh failed (it never blocks history: the buckets are
 * listed here instead). Queries compute these buckets from the records; flushes recompute a few at a time.
 */
export const kpiDirtyBuckets = pgTable(
  'kpi_dirty_buckets',
  {
    tenantId: tenantIdColumn(),
    bucketStart: bigint('bucket_start', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.bucketStart] }), tenantIsolation()],
).enableRLS();
