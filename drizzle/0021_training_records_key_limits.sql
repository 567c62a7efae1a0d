CREATE TABLE "training_records" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"agent_id" text NOT NULL,
	"course" text NOT NULL,
	"completed_on" date NOT NULL,
	"hours" double precision NOT NULL,
	"exam_score" double precision,
	"exam_max_score" double precision DEFAULT 100 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "training_records_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "training_records" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "limit" jsonb;--> statement-breakpoint
ALTER TABLE "training_records" ADD CONSTRAINT "training_records_agent_fk" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "training_records_day_idx" ON "training_records" USING btree ("tenant_id","completed_on");--> statement-breakpoint
CREATE INDEX "training_records_agent_idx" ON "training_records" USING btree ("tenant_id","agent_id","completed_on");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "training_records" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
ALTER TABLE "training_records" FORCE ROW LEVEL SECURITY;