-- Spend limits of the seeded plans (issue 13): a per-request completion cap, so a request's worst case can be
-- reserved against the cost cap, and which plans include the monitoring worker's LLM calls. Re-runnable: plain
-- updates by plan name; a plan an operator changed through the admin API after this ran is not touched again.
UPDATE subscription_plans SET max_tokens_per_request = 1024, rate_limit_per_minute = 20
  WHERE name = 'Free' AND max_tokens_per_request = 0;
--> statement-breakpoint
UPDATE subscription_plans SET max_tokens_per_request = 4096, rate_limit_per_minute = 60, monitoring_included = true
  WHERE name = 'Basic' AND max_tokens_per_request = 0;
--> statement-breakpoint
UPDATE subscription_plans SET max_tokens_per_request = 8192, rate_limit_per_minute = 120, monitoring_included = true
  WHERE name = 'Pro' AND max_tokens_per_request = 0;
--> statement-breakpoint
UPDATE subscription_plans SET max_tokens_per_request = 16384, rate_limit_per_minute = 600, monitoring_included = true
  WHERE name = 'Enterprise' AND max_tokens_per_request = 0;
