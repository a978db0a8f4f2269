-- Custom migration: stored Responses API answers are per-user content, under the same row-level security as every
-- other userdata table (0001). Re-runnable by design.
GRANT SELECT, INSERT, UPDATE, DELETE ON stored_responses TO switchyard_app;
--> statement-breakpoint
ALTER TABLE stored_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE stored_responses FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP POLICY IF EXISTS stored_responses_owner ON stored_responses;
--> statement-breakpoint
-- An unset or empty setting matches no row instead of failing.
CREATE POLICY stored_responses_owner ON stored_responses
  USING (user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid)
  WITH CHECK (user_id = NULLIF(current_setting('app.current_user_id', true), '')::uuid);
