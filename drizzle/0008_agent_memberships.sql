CREATE TABLE "agent_memberships" (
	"tenant_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"valid_from" timestamp (3) with time zone NOT NULL,
	"valid_to" timestamp (3) with time zone,
	"team_id" text,
	"site_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_memberships_tenant_id_agent_id_valid_from_pk" PRIMARY KEY("tenant_id","agent_id","valid_from")
);
--> statement-breakpoint
ALTER TABLE "agent_memberships" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_memberships" ADD CONSTRAINT "agent_memberships_tenant_id_agent_id_agents_tenant_id_id_fk" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_memberships" ADD CONSTRAINT "agent_memberships_team_fk" FOREIGN KEY ("tenant_id","team_id") REFERENCES "public"."teams"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_memberships" ADD CONSTRAINT "agent_memberships_site_fk" FOREIGN KEY ("tenant_id","site_id") REFERENCES "public"."sites"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_memberships_team_idx" ON "agent_memberships" USING btree ("tenant_id","team_id");--> statement-breakpoint
CREATE INDEX "agent_memberships_site_idx" ON "agent_memberships" USING btree ("tenant_id","site_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "agent_memberships" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
-- Every existing agent starts with one period, from the epoch on, in its current team and site.
INSERT INTO "agent_memberships" ("tenant_id", "agent_id", "valid_from", "valid_to", "team_id", "site_id")
SELECT "tenant_id", "id", to_timestamp(0), NULL, "team_id", "site_id" FROM "agents";--> statement-breakpoint
-- See 0002_force_rls.sql: every table with tenant data binds its owner too.
ALTER TABLE "agent_memberships" FORCE ROW LEVEL SECURITY;
