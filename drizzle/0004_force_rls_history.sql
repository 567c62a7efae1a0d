-- See 0002_force_rls.sql: every table with tenant data binds its owner too.
ALTER TABLE "connectors" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "interactions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "queue_visits" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_segments" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_state_intervals" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "events" FORCE ROW LEVEL SECURITY;
