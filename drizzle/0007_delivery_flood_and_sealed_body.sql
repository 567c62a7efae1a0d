ALTER TABLE "connector_deliveries" ADD COLUMN "suppressed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "connector_deliveries" ADD COLUMN "body_sealed" text;