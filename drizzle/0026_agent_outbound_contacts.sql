-- contactsPerHour (issue 12 §1) reads a new fact, quality.agentOutboundByCategory: the disposition categories of
-- outbound attempts an agent spoke with, counted where the call's last agent segment connected, in its queue,
-- queue × agent and agent cells. Rollups written before hold none (they read as 0), so the buckets where segments
-- of dispositioned outbound calls of the history connected are listed dirty: queries compute them from the
-- records until a flush or POST /v1/kpis/rollups/rebuild has recomputed them (src/db/kpi-rollups.ts). Every
-- segment's bucket is listed, the last one's among them. Row-level security binds this owner too
-- (0002_force_rls.sql), and no tenant is set here, so it is lifted for these statements and put back.
ALTER TABLE "interactions" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_segments" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO "kpi_dirty_buckets" ("tenant_id", "bucket_start")
SELECT DISTINCT s.tenant_id, (extract(epoch FROM s.connected_at) * 1000)::bigint / 900000 * 900000
FROM "agent_segments" s JOIN "interactions" i ON i.tenant_id = s.tenant_id AND i.id = s.interaction_id
WHERE i.direction = 'outbound' AND i.started_at IS NOT NULL AND i.disposition->>'category' IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "interactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_segments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_dirty_buckets" FORCE ROW LEVEL SECURITY;
