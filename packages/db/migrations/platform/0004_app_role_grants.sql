-- Custom migration: the apps log in to the platform database as switchyard_app too, never as the owner.
-- Re-runnable. The role is cluster-wide and the userdata migrations create it as well; whichever runs first wins
-- and the other's race is caught. It gets DML on the tables and use of the sequences, nothing else: no
-- ownership, no DDL (CREATE on public is revoked from PUBLIC, the default since PostgreSQL 15, stated here
-- for clusters created earlier), so a compromised app cannot change the schema.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchyard_app') THEN
    CREATE ROLE switchyard_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END;
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF (SELECT rolsuper OR rolbypassrls OR rolcreatedb OR rolcreaterole FROM pg_roles WHERE rolname = 'switchyard_app') THEN
    RAISE EXCEPTION 'role switchyard_app must be a plain role (no SUPERUSER, BYPASSRLS, CREATEDB or CREATEROLE)';
  END IF;
END;
$$;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO switchyard_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO switchyard_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO switchyard_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO switchyard_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO switchyard_app;
--> statement-breakpoint
-- The apps verify the schema at startup and in /ready: they read which migrations are applied, never write them.
GRANT USAGE ON SCHEMA switchyard_migrations TO switchyard_app;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA switchyard_migrations TO switchyard_app;
