ALTER TABLE "subscription_plans" DROP CONSTRAINT "subscription_plans_limits_check";--> statement-breakpoint
ALTER TABLE "usage_alerts" DROP CONSTRAINT "usage_alerts_alert_type_check";--> statement-breakpoint
ALTER TABLE "subscription_plans" ADD COLUMN "max_tokens_per_request" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscription_plans" ADD COLUMN "rate_limit_per_minute" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscription_plans" ADD COLUMN "monitoring_included" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_alerts" ADD COLUMN "period_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "usage_alerts_user_type_period_unique" ON "usage_alerts" USING btree ("user_id","alert_type","period_key");--> statement-breakpoint
ALTER TABLE "subscription_plans" ADD CONSTRAINT "subscription_plans_limits_check" CHECK ("monthly_price" >= 0 and "yearly_price" >= 0 and "monthly_request_limit" >= 0 and "monthly_token_limit" >= 0 and "monthly_cost_cap" >= 0 and "max_tokens_per_request" >= 0 and "rate_limit_per_minute" >= 0);--> statement-breakpoint
ALTER TABLE "usage_alerts" ADD CONSTRAINT "usage_alerts_alert_type_check" CHECK ("alert_type" in ('request_limit_warning', 'request_limit_reached', 'token_limit_warning', 'token_limit_reached', 'cost_cap_warning', 'cost_cap_reached', 'provider_limit_warning', 'provider_limit_reached', 'monitoring_needs_intervention', 'oauth_token_expiring'));