CREATE TABLE "connectors" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	"provider" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"unknown_keys" text DEFAULT 'reject' NOT NULL,
	"secret_sealed" text NOT NULL,
	"previous_secret_sealed" text,
	"previous_secret_expires_at" timestamp with time zone,
	"queue_mappings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"agent_mappings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "connectors_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "connectors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "events" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"provider" text NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"occurred_at_source" text NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"interaction_id" text,
	"leg_id" text,
	"queue_id" text,
	"agent_id" text,
	"queue_key" text,
	"agent_key" text,
	"attrs" jsonb NOT NULL,
	CONSTRAINT "events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "interactions" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"direction" text,
	"caller_hash" text,
	"caller_masked" text,
	"started_at" timestamp (3) with time zone,
	"ended_at" timestamp (3) with time zone,
	"hangup_cause" text,
	"ended_by" text,
	"disposition" jsonb,
	"survey" jsonb,
	"ivr" jsonb,
	"first_event_at" timestamp (3) with time zone NOT NULL,
	"last_event_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "interactions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "interactions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "agent_segments" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"interaction_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"queue_id" text NOT NULL,
	"visit_id" text,
	"connected_at" timestamp (3) with time zone NOT NULL,
	"disconnected_at" timestamp (3) with time zone,
	"talk_ms" bigint,
	"hold_ms" bigint NOT NULL,
	"hold_count" integer NOT NULL,
	"wrapup_started_at" timestamp (3) with time zone,
	"wrapup_ended_at" timestamp (3) with time zone,
	"acw_ms" bigint,
	"transferred" boolean NOT NULL,
	"ended_by" text,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_segments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "agent_segments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "agent_state_intervals" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"agent_id" text NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"started_at" timestamp (3) with time zone NOT NULL,
	"ended_at" timestamp (3) with time zone,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_state_intervals_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "agent_state_intervals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "queue_visits" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"interaction_id" text NOT NULL,
	"queue_id" text NOT NULL,
	"leg_id" text,
	"enqueued_at" timestamp (3) with time zone NOT NULL,
	"enqueued_at_source" text NOT NULL,
	"left_at" timestamp (3) with time zone,
	"outcome" text,
	"closed_by" text,
	"wait_ms" bigint,
	"agent_id" text,
	"answered_at" timestamp (3) with time zone,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "queue_visits_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "queue_visits" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "caller_salt" text DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') NOT NULL;--> statement-breakpoint
ALTER TABLE "connectors" ADD CONSTRAINT "connectors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_segments" ADD CONSTRAINT "agent_segments_agent_fk" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_segments" ADD CONSTRAINT "agent_segments_queue_fk" FOREIGN KEY ("tenant_id","queue_id") REFERENCES "public"."queues"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_state_intervals" ADD CONSTRAINT "agent_state_intervals_agent_fk" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_visits" ADD CONSTRAINT "queue_visits_queue_fk" FOREIGN KEY ("tenant_id","queue_id") REFERENCES "public"."queues"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_visits" ADD CONSTRAINT "queue_visits_agent_fk" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connectors_name_unique" ON "connectors" USING btree ("tenant_id","name") WHERE archived_at is null;--> statement-breakpoint
CREATE INDEX "events_interaction_idx" ON "events" USING btree ("tenant_id","interaction_id","occurred_at");--> statement-breakpoint
CREATE INDEX "events_occurred_idx" ON "events" USING btree ("tenant_id","occurred_at");--> statement-breakpoint
CREATE INDEX "interactions_first_event_idx" ON "interactions" USING btree ("tenant_id","first_event_at");--> statement-breakpoint
CREATE INDEX "interactions_caller_idx" ON "interactions" USING btree ("tenant_id","caller_hash");--> statement-breakpoint
CREATE INDEX "agent_segments_agent_idx" ON "agent_segments" USING btree ("tenant_id","agent_id","connected_at");--> statement-breakpoint
CREATE INDEX "agent_segments_interaction_idx" ON "agent_segments" USING btree ("tenant_id","interaction_id");--> statement-breakpoint
CREATE INDEX "agent_state_intervals_agent_idx" ON "agent_state_intervals" USING btree ("tenant_id","agent_id","started_at");--> statement-breakpoint
CREATE INDEX "queue_visits_queue_enqueued_idx" ON "queue_visits" USING btree ("tenant_id","queue_id","enqueued_at");--> statement-breakpoint
CREATE INDEX "queue_visits_enqueued_idx" ON "queue_visits" USING btree ("tenant_id","enqueued_at");--> statement-breakpoint
CREATE INDEX "queue_visits_interaction_idx" ON "queue_visits" USING btree ("tenant_id","interaction_id");--> statement-breakpoint
CREATE INDEX "queue_visits_agent_idx" ON "queue_visits" USING btree ("tenant_id","agent_id","enqueued_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "connectors" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "events" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "interactions" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "agent_segments" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "agent_state_intervals" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "queue_visits" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));