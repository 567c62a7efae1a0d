DROP INDEX "interactions_first_event_idx";--> statement-breakpoint
DROP INDEX "queue_visits_enqueued_idx";--> statement-breakpoint
CREATE INDEX "interactions_first_event_idx" ON "interactions" USING btree ("tenant_id","first_event_at","id");--> statement-breakpoint
CREATE INDEX "queue_visits_enqueued_idx" ON "queue_visits" USING btree ("tenant_id","enqueued_at","interaction_id");