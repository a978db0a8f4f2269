-- Custom migration: what the apps need when they log in as switchyard_app (0001 created it with DML grants).
-- Re-runnable. No DDL for the role: CREATE on public is revoked from PUBLIC (the default since PostgreSQL 15,
-- stated here for clusters created earlier).
DO $$
BEGIN
  IF (SELECT rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = 'switchyard_app') THEN
    RAISE EXCEPTION 'role switchyard_app must be a plain role (no CREATEDB or CREATEROLE)';
  END IF;
END;
$$;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
--> statement-breakpoint
-- The apps verify the schema at startup and in /ready: they read which migrations are applied, never write them.
GRANT USAGE ON SCHEMA switchyard_migrations TO switchyard_app;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA switchyard_migrations TO switchyard_app;
