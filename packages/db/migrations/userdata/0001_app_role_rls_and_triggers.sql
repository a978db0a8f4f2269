-- Custom migration: the application role, row-level security and updated_at triggers. Re-runnable by design.
-- Row-level security never applies to superusers or BYPASSRLS roles, so the userdata pool runs as this
-- NOLOGIN role (SET ROLE at connect). Roles are cluster-wide while our advisory lock is per database, so
-- concurrent migrators of other databases may race to create it: that race is caught, not fatal.
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
  IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'switchyard_app') THEN
    RAISE EXCEPTION 'role switchyard_app must not be a superuser or have BYPASSRLS: row-level security would not apply';
  END IF;
  -- A non-superuser migrator must be a member to SET ROLE; superusers need no membership.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, 'switchyard_app', 'MEMBER') THEN
    EXECUTE format('GRANT switchyard_app TO %I', current_user);
  END IF;
EXCEPTION
  WHEN unique_violation THEN NULL;
END;
$$;
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
CREATE OR REPLACE FUNCTION switchyard_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
--> statement-breakpoint
DO $$
DECLARE
  table_name text;
BEGIN
  -- Every userdata table is keyed by user_id; an unset or empty setting matches no row instead of failing.
  FOREACH table_name IN ARRAY ARRAY['user_profiles', 'conversations', 'messages', 'user_ai_agents', 'oauth_connections'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', table_name);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', table_name);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', table_name || '_owner', table_name);
    EXECUTE format(
      'CREATE POLICY %I ON %I USING (user_id = NULLIF(current_setting(''app.current_user_id'', true), '''')::uuid) '
      'WITH CHECK (user_id = NULLIF(current_setting(''app.current_user_id'', true), '''')::uuid)',
      table_name || '_owner', table_name
    );
  END LOOP;
  FOREACH table_name IN ARRAY ARRAY['user_profiles', 'conversations', 'user_ai_agents', 'oauth_connections'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', table_name || '_set_updated_at', table_name);
    EXECUTE format(
      'CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION switchyard_set_updated_at()',
      table_name || '_set_updated_at', table_name
    );
  END LOOP;
END;
$$;
