CREATE TABLE "appraisals" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"rule_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"status" text NOT NULL,
	"inputs" jsonb NOT NULL,
	"results" jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appraisals_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "appraisals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "appraisals" ADD CONSTRAINT "appraisals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appraisals" ADD CONSTRAINT "appraisals_rule_version_fk" FOREIGN KEY ("tenant_id","rule_id","rule_version") REFERENCES "public"."appraisal_rule_versions"("tenant_id","rule_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appraisals_rule_period_unique" ON "appraisals" USING btree ("tenant_id","rule_id","period");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "appraisals" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
ALTER TABLE "appraisals" FORCE ROW LEVEL SECURITY;