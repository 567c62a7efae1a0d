CREATE TABLE "kpi_day_cells" (
	"tenant_id" text NOT NULL,
	"day_start" bigint NOT NULL,
	"queue_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"facts" jsonb NOT NULL,
	CONSTRAINT "kpi_day_cells_tenant_id_day_start_queue_id_agent_id_pk" PRIMARY KEY("tenant_id","day_start","queue_id","agent_id")
);
--> statement-breakpoint
ALTER TABLE "kpi_day_cells" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "kpi_days" (
	"tenant_id" text NOT NULL,
	"day_start" bigint NOT NULL,
	"day_end" bigint NOT NULL,
	"time_zone" text NOT NULL,
	CONSTRAINT "kpi_days_tenant_id_day_start_pk" PRIMARY KEY("tenant_id","day_start")
);
--> statement-breakpoint
ALTER TABLE "kpi_days" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "kpi_day_cells" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "kpi_days" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
-- See 0002_force_rls.sql: every table with tenant data binds its owner too.
ALTER TABLE "kpi_day_cells" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "kpi_days" FORCE ROW LEVEL SECURITY;
