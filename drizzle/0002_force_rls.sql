-- FORCE makes the policies bind the table owner too (Neon's owner role is not a superuser), so no
-- role but a superuser sees another tenant's rows. Every table with tenant data must be listed in a
-- migration like this one; test/rls.test.ts fails for any that is not.
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "api_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "sites" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "teams" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "queues" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "queue_external_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agents" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_external_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "agent_queues" FORCE ROW LEVEL SECURITY;
