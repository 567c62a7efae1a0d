-- The application role. The Worker connects as callboard_app, which owns nothing and cannot bypass
-- row-level security, so the tenant_isolation policies always apply to it. Migrations run as the
-- owner role; the password (and LOGIN) are set outside migrations (scripts/migrate.mjs --app-password,
-- or by the operator on Neon), so no secret lives in this file.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callboard_app') THEN
    CREATE ROLE callboard_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO callboard_app;
--> statement-breakpoint
-- Every table and sequence the owner creates from here on is usable by the application role.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO callboard_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO callboard_app;
