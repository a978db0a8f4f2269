-- Custom migration: keeps updated_at current on every write. Re-runnable by design.
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
  FOREACH table_name IN ARRAY ARRAY[
    'users', 'subscription_plans', 'user_subscriptions', 'usage_summaries', 'ai_agent_providers',
    'onboarding_sessions', 'oauth_token_monitoring_tasks', 'website_analysis_tasks', 'platform_insights_tasks'
  ] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', table_name || '_set_updated_at', table_name);
    EXECUTE format(
      'CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION switchyard_set_updated_at()',
      table_name || '_set_updated_at', table_name
    );
  END LOOP;
END;
$$;
