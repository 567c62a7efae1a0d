CREATE TABLE "connector_deliveries" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"connector_id" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"request_id" text NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer NOT NULL,
	"verified" boolean NOT NULL,
	"reason" text,
	"detail" text,
	"method" text NOT NULL,
	"url" text NOT NULL,
	"content_type" text,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"body" text NOT NULL,
	"body_truncated" boolean NOT NULL,
	"events" integer NOT NULL,
	"accepted" integer NOT NULL,
	"duplicates" integer NOT NULL,
	"rejected" integer NOT NULL,
	"ignored" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "connector_deliveries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "connector_deliveries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "credential_names" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "options" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "connector_deliveries" ADD CONSTRAINT "connector_deliveries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_deliveries_connector_idx" ON "connector_deliveries" USING btree ("tenant_id","connector_id","received_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "connector_deliveries" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
-- See 0002_force_rls.sql.
ALTER TABLE "connector_deliveries" FORCE ROW LEVEL SECURITY;
