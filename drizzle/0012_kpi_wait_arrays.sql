ALTER TABLE "kpi_cells" ADD COLUMN "wait_keys" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "kpi_cells" ADD COLUMN "wait_totals" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "kpi_day_cells" ADD COLUMN "wait_keys" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "kpi_day_cells" ADD COLUMN "wait_totals" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Facts and wait arrays stay in the row, uncompressed up to a full page: a value moved out of line costs a TOAST
-- lookup per row read, and a compressed one a decompression (reading a month of day cells' wait totals took 2.5× longer).
ALTER TABLE "kpi_cells" ALTER COLUMN "facts" SET STORAGE MAIN, ALTER COLUMN "wait_keys" SET STORAGE MAIN, ALTER COLUMN "wait_totals" SET STORAGE MAIN;--> statement-breakpoint
ALTER TABLE "kpi_day_cells" ALTER COLUMN "facts" SET STORAGE MAIN, ALTER COLUMN "wait_keys" SET STORAGE MAIN, ALTER COLUMN "wait_totals" SET STORAGE MAIN;--> statement-breakpoint
ALTER TABLE "kpi_cells" SET (toast_tuple_target = 8160);--> statement-breakpoint
ALTER TABLE "kpi_day_cells" SET (toast_tuple_target = 8160);--> statement-breakpoint
-- Rollups written before hold their histograms inside `facts`: they are dropped, and every bucket with records
-- is listed dirty, so queries compute it from the records until a flush or POST /v1/kpis/rollups/rebuild has
-- recomputed it (src/db/kpi-rollups.ts). Row-level security binds this owner too (0002_force_rls.sql), and no
-- tenant is set here, so it is lifted for these statements and put back (0009's backfill, run under it, listed
-- nothing).
ALTER TABLE "queue_visits" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_segments" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_state_intervals" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "interactions" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_cells" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_day_cells" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_days" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
DELETE FROM "kpi_cells";--> statement-breakpoint
DELETE FROM "kpi_day_cells";--> statement-breakpoint
DELETE FROM "kpi_days";--> statement-breakpoint
INSERT INTO "kpi_dirty_buckets" ("tenant_id", "bucket_start")
SELECT tenant_id, (extract(epoch FROM enqueued_at) * 1000)::bigint / 900000 * 900000 FROM "queue_visits"
UNION SELECT tenant_id, (extract(epoch FROM connected_at) * 1000)::bigint / 900000 * 900000 FROM "agent_segments"
UNION SELECT x.tenant_id, b FROM "agent_state_intervals" x,
  generate_series((extract(epoch FROM x.started_at) * 1000)::bigint / 900000 * 900000,
                  ((extract(epoch FROM x.ended_at) * 1000)::bigint - 1) / 900000 * 900000, 900000) AS b
  WHERE x.ended_at IS NOT NULL AND x.ended_at > x.started_at AND x.state <> 'offline'
UNION SELECT tenant_id, (ivr->>'at')::bigint / 900000 * 900000 FROM "interactions" WHERE ivr IS NOT NULL
UNION SELECT tenant_id, (disposition->>'at')::bigint / 900000 * 900000 FROM "interactions" WHERE disposition IS NOT NULL
UNION SELECT tenant_id, (survey->>'at')::bigint / 900000 * 900000 FROM "interactions" WHERE survey IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "queue_visits" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_segments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_state_intervals" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "interactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_cells" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_day_cells" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_days" FORCE ROW LEVEL SECURITY;
