import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { PackedFacts } from '../../domain/kpi/packed';
import { tenantIdColumn, tenantIsolation, updatedAt } from './common';

/**
 * The wait histograms of a cell as sorted keys and running totals (src/domain/kpi/packed.ts), which queries
 * search in SQL for their thresholds only. These and `facts` are stored inline and uncompressed up to a full
 * page (STORAGE MAIN and toast_tuple_target 8160, set in drizzle/0012_kpi_wait_arrays.sql): an out-of-line
 * value costs a TOAST lookup per row read, a compressed one a decompression.
 */
const waitColumns = () => ({
  waitKeys: integer('wait_keys').array().notNull().default(sql`'{}'`),
  waitTotals: integer('wait_totals').array().notNull().default(sql`'{}'`),
});

/**
 * KPI rollups: the facts of one 15-minute UTC bucket × cell (src/domain/kpi/facts.ts: a queue, a queue × agent,
 * an agent, or the tenant), packed (src/domain/kpi/packed.ts: the facts tree, and the wait histograms apart).
 * Every real zone offset is a multiple of 15 minutes, so any period of any zone is a union of buckets. Derived data: each flush recomputes the buckets it touched from
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
    ...waitColumns(),
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

/**
 * Day rollups: the merge of a local day's 15-minute cells, per cell key, in the tenant's time zone (`kpi_days`
 * says which days are complete, in which zone). Month-by-day reports read 30 rows per key instead of 2,880. Kept by
 * the same refresh as the 15-minute cells (src/db/kpi-rollups.ts); queries use a day only when it is complete in
 * the request's zone, lies wholly in the range and holds no dirty bucket.
 */
export const kpiDayCells = pgTable(
  'kpi_day_cells',
  {
    tenantId: tenantIdColumn(),
    /** Epoch ms of the day's first instant in `kpi_days.time_zone`. */
    dayStart: bigint('day_start', { mode: 'number' }).notNull(),
    queueId: text('queue_id').notNull(),
    agentId: text('agent_id').notNull(),
    facts: jsonb('facts').$type<PackedFacts>().notNull(),
    ...waitColumns(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.dayStart, t.queueId, t.agentId] }), tenantIsolation()],
).enableRLS();

/** The days whose day cells are complete, and the zone they were cut in. */
export const kpiDays = pgTable(
  'kpi_days',
  {
    tenantId: tenantIdColumn(),
    dayStart: bigint('day_start', { mode: 'number' }).notNull(),
    dayEnd: bigint('day_end', { mode: 'number' }).notNull(),
    timeZone: text('time_zone').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.dayStart] }), tenantIsolation()],
).enableRLS();
