CREATE TABLE "kpi_cells" (
	"tenant_id" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"queue_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"facts" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kpi_cells_tenant_id_bucket_start_queue_id_agent_id_pk" PRIMARY KEY("tenant_id","bucket_start","queue_id","agent_id")
);
--> statement-breakpoint
ALTER TABLE "kpi_cells" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "kpi_dirty_buckets" (
	"tenant_id" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	CONSTRAINT "kpi_dirty_buckets_tenant_id_bucket_start_pk" PRIMARY KEY("tenant_id","bucket_start")
);
--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "kpi_cells_agent_idx" ON "kpi_cells" USING btree ("tenant_id","agent_id","bucket_start");--> statement-breakpoint
CREATE INDEX "interactions_quality_idx" ON "interactions" USING btree ("tenant_id","last_event_at") WHERE ivr IS NOT NULL OR disposition IS NOT NULL OR survey IS NOT NULL;--> statement-breakpoint
CREATE INDEX "agent_segments_connected_idx" ON "agent_segments" USING btree ("tenant_id","connected_at");--> statement-breakpoint
CREATE INDEX "agent_state_intervals_ended_idx" ON "agent_state_intervals" USING btree ("tenant_id","ended_at");--> statement-breakpoint
CREATE INDEX "agent_state_intervals_open_idx" ON "agent_state_intervals" USING btree ("tenant_id","agent_id") WHERE ended_at IS NULL;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "kpi_cells" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "kpi_dirty_buckets" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
-- History from before rollups existed: every bucket with records is listed as dirty, so queries compute it from
-- the records until a flush has recomputed it (src/db/kpi-rollups.ts).
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
-- See 0002_force_rls.sql: every table with tenant data binds its owner too.
ALTER TABLE "kpi_cells" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" FORCE ROW LEVEL SECURITY;
