CREATE INDEX "interactions_outbound_started_idx" ON "interactions" USING btree ("tenant_id","started_at") WHERE direction = 'outbound' AND started_at IS NOT NULL;--> statement-breakpoint
-- Rollups written before hold no outbound attempts (they read as 0), so the buckets where outbound calls of the
-- history started are listed dirty: queries compute them from the records until a flush or
-- POST /v1/kpis/rollups/rebuild has recomputed them (src/db/kpi-rollups.ts). Row-level security binds this owner
-- too (0002_force_rls.sql), and no tenant is set here, so it is lifted for these statements and put back.
ALTER TABLE "interactions" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "kpi_dirty_buckets" ("tenant_id", "bucket_start")
SELECT DISTINCT tenant_id, (extract(epoch FROM started_at) * 1000)::bigint / 900000 * 900000 FROM "interactions"
WHERE direction = 'outbound' AND started_at IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "interactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" FORCE ROW LEVEL SECURITY;
