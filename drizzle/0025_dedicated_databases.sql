CREATE TABLE "tenant_databases" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"database_url_sealed" text NOT NULL,
	"migration_url_sealed" text NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenant_databases" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "home" text DEFAULT 'home' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_databases" ADD CONSTRAINT "tenant_databases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_home" CHECK ("tenants"."home" IN ('home', 'moving', 'moved', 'incoming'));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "tenant_databases" AS PERMISSIVE FOR ALL TO public USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
ALTER TABLE "tenant_databases" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The first statement of every tenant transaction (src/db/tenant-scope.ts): sets the tenant for the RLS policies and
-- the statement timeout, takes the tenant's fence (a shared advisory lock, held to the end of the transaction) and
-- answers where the tenant's data lives. A tenant being copied out of this database ('moving') gets a read-only
-- transaction; any other answer than 'home' or 'moving' sends the caller to the tenant's current database. A move
-- takes the same lock exclusively to change `home` (src/db/tenant-move.ts), so it waits for the transactions
-- under way, and every later one sees the new value.
CREATE OR REPLACE FUNCTION callboard_enter_tenant(p_tenant text, p_statement_timeout text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_home text;
BEGIN
  PERFORM set_config('app.tenant_id', p_tenant, true), set_config('statement_timeout', p_statement_timeout, true);
  PERFORM pg_advisory_xact_lock_shared(hashtext('callboard.tenant_home'), hashtext(p_tenant));
  SELECT home INTO v_home FROM tenants WHERE id = p_tenant;
  IF v_home = 'moving' THEN
    PERFORM set_config('transaction_read_only', 'on', true);
  END IF;
  RETURN coalesce(v_home, 'absent');
END
$$;
