CREATE TABLE "qa_evaluations" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"form_id" text NOT NULL,
	"form_version" integer NOT NULL,
	"interaction_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"purpose" text NOT NULL,
	"status" text NOT NULL,
	"evaluator" text NOT NULL,
	"answers" jsonb NOT NULL,
	"comment" text,
	"score" double precision,
	"numerator" double precision,
	"denominator" double precision,
	"critical_failed" jsonb,
	"band" text,
	"submitted_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"dispute" jsonb,
	"resolution" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "qa_evaluations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "qa_evaluations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "qa_form_versions" (
	"tenant_id" text NOT NULL,
	"form_id" text NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "qa_form_versions_tenant_id_form_id_version_pk" PRIMARY KEY("tenant_id","form_id","version")
);
--> statement-breakpoint
ALTER TABLE "qa_form_versions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "qa_forms" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "qa_forms_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "qa_forms" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "qa_evaluations" ADD CONSTRAINT "qa_evaluations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_evaluations" ADD CONSTRAINT "qa_evaluations_form_version_fk" FOREIGN KEY ("tenant_id","form_id","form_version") REFERENCES "public"."qa_form_versions"("tenant_id","form_id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_evaluations" ADD CONSTRAINT "qa_evaluations_agent_fk" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_form_versions" ADD CONSTRAINT "qa_form_versions_form_fk" FOREIGN KEY ("tenant_id","form_id") REFERENCES "public"."qa_forms"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_forms" ADD CONSTRAINT "qa_forms_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "qa_evaluations_agent_idx" ON "qa_evaluations" USING btree ("tenant_id","agent_id","submitted_at");--> statement-breakpoint
CREATE INDEX "qa_evaluations_interaction_idx" ON "qa_evaluations" USING btree ("tenant_id","interaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "qa_forms_name_unique" ON "qa_forms" USING btree ("tenant_id","name") WHERE archived_at is null;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "qa_evaluations" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "qa_form_versions" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "qa_forms" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
ALTER TABLE "qa_forms" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "qa_form_versions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "qa_evaluations" FORCE ROW LEVEL SECURITY;