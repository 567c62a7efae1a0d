ALTER TABLE "agents" ADD COLUMN "hired_on" date;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "left_on" date;