CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text DEFAULT 'default' NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_keys_key_hash_check" CHECK ("key_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" text DEFAULT 'user' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_role_check" CHECK ("role" in ('user', 'admin')),
	CONSTRAINT "users_status_check" CHECK ("status" in ('active', 'suspended', 'deleted'))
);
--> statement-breakpoint
CREATE TABLE "api_provider_pricing" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_price_per_million" numeric(12, 6) NOT NULL,
	"output_price_per_million" numeric(12, 6) NOT NULL,
	"cached_input_price_per_million" numeric(12, 6),
	"currency" text DEFAULT 'USD' NOT NULL,
	"effective_from" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_usage_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_usage_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"user_id" uuid,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"endpoint" text NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"cost" numeric(14, 8) DEFAULT 0 NOT NULL,
	"latency_ms" integer,
	"status" text NOT NULL,
	"error_class" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"fallback_from" text,
	"streaming" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_usage_logs_status_check" CHECK ("status" in ('success', 'error'))
);
--> statement-breakpoint
CREATE TABLE "subscription_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"monthly_price" numeric(10, 2) DEFAULT 0 NOT NULL,
	"yearly_price" numeric(10, 2) DEFAULT 0 NOT NULL,
	"monthly_request_limit" integer DEFAULT 0 NOT NULL,
	"monthly_token_limit" bigint DEFAULT 0 NOT NULL,
	"monthly_cost_cap" numeric(10, 2) DEFAULT 0 NOT NULL,
	"provider_limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"features" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_plans_limits_check" CHECK ("monthly_price" >= 0 and "yearly_price" >= 0 and "monthly_request_limit" >= 0 and "monthly_token_limit" >= 0 and "monthly_cost_cap" >= 0)
);
--> statement-breakpoint
CREATE TABLE "usage_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"alert_type" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	CONSTRAINT "usage_alerts_alert_type_check" CHECK ("alert_type" in ('request_limit_warning', 'request_limit_reached', 'token_limit_warning', 'token_limit_reached', 'cost_cap_warning', 'cost_cap_reached', 'provider_limit_reached')),
	CONSTRAINT "usage_alerts_severity_check" CHECK ("severity" in ('info', 'warning', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "usage_summaries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"period" text NOT NULL,
	"request_count" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"fallback_count" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"total_tokens" bigint DEFAULT 0 NOT NULL,
	"total_cost" numeric(14, 6) DEFAULT 0 NOT NULL,
	"per_provider" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_summaries_period_check" CHECK ("period" ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
--> statement-breakpoint
CREATE TABLE "user_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"billing_cycle" text DEFAULT 'monthly' NOT NULL,
	"current_period_start" timestamp with time zone DEFAULT now() NOT NULL,
	"current_period_end" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_subscriptions_status_check" CHECK ("status" in ('active', 'trialing', 'past_due', 'cancelled')),
	CONSTRAINT "user_subscriptions_billing_cycle_check" CHECK ("billing_cycle" in ('monthly', 'yearly'))
);
--> statement-breakpoint
CREATE TABLE "ai_agent_providers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"display_name" text NOT NULL,
	"base_url" text,
	"default_model" text NOT NULL,
	"models" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"capabilities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_fallback_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "provider_fallback_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"user_id" uuid,
	"from_provider" text NOT NULL,
	"to_provider" text,
	"from_model" text NOT NULL,
	"to_model" text,
	"error_kind" text NOT NULL,
	"status" integer,
	"reason" text,
	"streaming" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_token_execution_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "oauth_token_execution_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"execution_date" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"result_data" jsonb,
	"error_message" text,
	"execution_time_ms" integer,
	"task_id" uuid NOT NULL,
	CONSTRAINT "oauth_token_execution_logs_status_check" CHECK ("status" in ('running', 'success', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "oauth_token_monitoring_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"last_check" timestamp with time zone,
	"last_success" timestamp with time zone,
	"last_failure" timestamp with time zone,
	"failure_reason" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"failure_pattern" jsonb,
	"next_check" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"platform" text NOT NULL,
	"connection_id" uuid NOT NULL,
	CONSTRAINT "oauth_token_monitoring_tasks_status_check" CHECK ("status" in ('active', 'failed', 'paused', 'needs_intervention')),
	CONSTRAINT "oauth_token_monitoring_tasks_platform_check" CHECK ("platform" in ('gsc', 'bing', 'wordpress', 'wix'))
);
--> statement-breakpoint
CREATE TABLE "platform_insights_execution_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "platform_insights_execution_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"execution_date" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"result_data" jsonb,
	"error_message" text,
	"execution_time_ms" integer,
	"task_id" uuid NOT NULL,
	"data_source" text,
	CONSTRAINT "platform_insights_execution_logs_status_check" CHECK ("status" in ('running', 'success', 'failed', 'skipped')),
	CONSTRAINT "platform_insights_execution_logs_data_source_check" CHECK ("data_source" in ('cached', 'api', 'onboarding'))
);
--> statement-breakpoint
CREATE TABLE "platform_insights_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"last_check" timestamp with time zone,
	"last_success" timestamp with time zone,
	"last_failure" timestamp with time zone,
	"failure_reason" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"failure_pattern" jsonb,
	"next_check" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"platform" text NOT NULL,
	"site_url" text NOT NULL,
	CONSTRAINT "platform_insights_tasks_status_check" CHECK ("status" in ('active', 'failed', 'paused', 'needs_intervention')),
	CONSTRAINT "platform_insights_tasks_platform_check" CHECK ("platform" in ('gsc', 'bing'))
);
--> statement-breakpoint
CREATE TABLE "scheduler_event_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "scheduler_event_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"queue" text NOT NULL,
	"found" integer DEFAULT 0 NOT NULL,
	"enqueued" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"duration_ms" integer DEFAULT 0 NOT NULL,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "website_analysis_execution_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "website_analysis_execution_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"execution_date" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text NOT NULL,
	"result_data" jsonb,
	"error_message" text,
	"execution_time_ms" integer,
	"task_id" uuid NOT NULL,
	CONSTRAINT "website_analysis_execution_logs_status_check" CHECK ("status" in ('running', 'success', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "website_analysis_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"last_check" timestamp with time zone,
	"last_success" timestamp with time zone,
	"last_failure" timestamp with time zone,
	"failure_reason" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"failure_pattern" jsonb,
	"next_check" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"website_url" text NOT NULL,
	"task_type" text NOT NULL,
	"competitor_id" uuid,
	"frequency_days" integer DEFAULT 10 NOT NULL,
	CONSTRAINT "website_analysis_tasks_status_check" CHECK ("status" in ('active', 'failed', 'paused', 'needs_intervention')),
	CONSTRAINT "website_analysis_tasks_task_type_check" CHECK ("task_type" in ('user_website', 'competitor')),
	CONSTRAINT "website_analysis_tasks_frequency_check" CHECK ("frequency_days" > 0)
);
--> statement-breakpoint
CREATE TABLE "competitor_analyses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid,
	"user_id" uuid NOT NULL,
	"url" text NOT NULL,
	"fetched_data" jsonb,
	"style_analysis" jsonb,
	"content_analysis" jsonb,
	"guidelines_analysis" jsonb,
	"changes" jsonb,
	"analysed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onboarding_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'started' NOT NULL,
	"current_step" text,
	"website_url" text,
	"competitors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"platforms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "onboarding_sessions_status_check" CHECK ("status" in ('started', 'in_progress', 'completed', 'failed', 'abandoned'))
);
--> statement-breakpoint
CREATE TABLE "platform_insights" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid,
	"user_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"site_url" text NOT NULL,
	"data_source" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"period_start" date,
	"period_end" date,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_insights_platform_check" CHECK ("platform" in ('gsc', 'bing')),
	CONSTRAINT "platform_insights_data_source_check" CHECK ("data_source" in ('cached', 'api', 'onboarding'))
);
--> statement-breakpoint
CREATE TABLE "website_analyses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid,
	"user_id" uuid NOT NULL,
	"url" text NOT NULL,
	"fetched_data" jsonb,
	"style_analysis" jsonb,
	"content_analysis" jsonb,
	"guidelines_analysis" jsonb,
	"changes" jsonb,
	"analysed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "capability_gaps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"capability" text NOT NULL,
	"description" text,
	"occurrence_count" integer DEFAULT 1 NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "performance_anomalies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"metric_name" text NOT NULL,
	"tags_key" text DEFAULT '' NOT NULL,
	"anomaly_type" text NOT NULL,
	"severity" text NOT NULL,
	"observed" double precision NOT NULL,
	"expected" double precision,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "performance_anomalies_anomaly_type_check" CHECK ("anomaly_type" in ('spike', 'drop', 'threshold_exceeded', 'error_rate', 'trend')),
	CONSTRAINT "performance_anomalies_severity_check" CHECK ("severity" in ('medium', 'high', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "performance_baselines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"metric_name" text NOT NULL,
	"tags_key" text DEFAULT '' NOT NULL,
	"window" text NOT NULL,
	"sample_count" integer NOT NULL,
	"avg" double precision NOT NULL,
	"p50" double precision NOT NULL,
	"p95" double precision NOT NULL,
	"p99" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"stddev" double precision NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "system_performance_metrics" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "system_performance_metrics_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"metric_name" text NOT NULL,
	"value" double precision NOT NULL,
	"unit" text,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metadata" jsonb
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_subscriptions" ADD CONSTRAINT "user_subscriptions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_subscriptions" ADD CONSTRAINT "user_subscriptions_plan_id_subscription_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."subscription_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_token_execution_logs" ADD CONSTRAINT "oauth_token_execution_logs_task_id_oauth_token_monitoring_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."oauth_token_monitoring_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_insights_execution_logs" ADD CONSTRAINT "platform_insights_execution_logs_task_id_platform_insights_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."platform_insights_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "website_analysis_execution_logs" ADD CONSTRAINT "website_analysis_execution_logs_task_id_website_analysis_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."website_analysis_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "competitor_analyses" ADD CONSTRAINT "competitor_analyses_task_id_website_analysis_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."website_analysis_tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_insights" ADD CONSTRAINT "platform_insights_task_id_platform_insights_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."platform_insights_tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "website_analyses" ADD CONSTRAINT "website_analyses_task_id_website_analysis_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."website_analysis_tasks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_unique" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_user_id_idx" ON "api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_unique" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "api_provider_pricing_model_effective_unique" ON "api_provider_pricing" USING btree ("provider","model","effective_from");--> statement-breakpoint
CREATE INDEX "api_usage_logs_user_created_idx" ON "api_usage_logs" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "api_usage_logs_created_idx" ON "api_usage_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "api_usage_logs_request_id_idx" ON "api_usage_logs" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "subscription_plans_name_unique" ON "subscription_plans" USING btree ("name");--> statement-breakpoint
CREATE INDEX "usage_alerts_user_created_idx" ON "usage_alerts" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_summaries_user_period_unique" ON "usage_summaries" USING btree ("user_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "user_subscriptions_user_id_unique" ON "user_subscriptions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "user_subscriptions_plan_id_idx" ON "user_subscriptions" USING btree ("plan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ai_agent_providers_provider_unique" ON "ai_agent_providers" USING btree ("provider");--> statement-breakpoint
CREATE INDEX "provider_fallback_events_created_idx" ON "provider_fallback_events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "provider_fallback_events_from_provider_idx" ON "provider_fallback_events" USING btree ("from_provider","created_at");--> statement-breakpoint
CREATE INDEX "provider_fallback_events_request_id_idx" ON "provider_fallback_events" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "oauth_token_execution_logs_task_date_idx" ON "oauth_token_execution_logs" USING btree ("task_id","execution_date");--> statement-breakpoint
CREATE INDEX "oauth_token_monitoring_tasks_next_check_idx" ON "oauth_token_monitoring_tasks" USING btree ("next_check");--> statement-breakpoint
CREATE INDEX "oauth_token_monitoring_tasks_user_id_idx" ON "oauth_token_monitoring_tasks" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_token_monitoring_tasks_connection_unique" ON "oauth_token_monitoring_tasks" USING btree ("user_id","connection_id");--> statement-breakpoint
CREATE INDEX "platform_insights_execution_logs_task_date_idx" ON "platform_insights_execution_logs" USING btree ("task_id","execution_date");--> statement-breakpoint
CREATE INDEX "platform_insights_tasks_next_check_idx" ON "platform_insights_tasks" USING btree ("next_check");--> statement-breakpoint
CREATE INDEX "platform_insights_tasks_user_id_idx" ON "platform_insights_tasks" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_insights_tasks_site_unique" ON "platform_insights_tasks" USING btree ("user_id","platform","site_url");--> statement-breakpoint
CREATE INDEX "scheduler_event_logs_queue_created_idx" ON "scheduler_event_logs" USING btree ("queue","created_at");--> statement-breakpoint
CREATE INDEX "website_analysis_execution_logs_task_date_idx" ON "website_analysis_execution_logs" USING btree ("task_id","execution_date");--> statement-breakpoint
CREATE INDEX "website_analysis_tasks_next_check_idx" ON "website_analysis_tasks" USING btree ("next_check");--> statement-breakpoint
CREATE INDEX "website_analysis_tasks_user_id_idx" ON "website_analysis_tasks" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "website_analysis_tasks_site_unique" ON "website_analysis_tasks" USING btree ("user_id","website_url","task_type");--> statement-breakpoint
CREATE INDEX "competitor_analyses_user_analysed_idx" ON "competitor_analyses" USING btree ("user_id","analysed_at");--> statement-breakpoint
CREATE INDEX "competitor_analyses_task_analysed_idx" ON "competitor_analyses" USING btree ("task_id","analysed_at");--> statement-breakpoint
CREATE INDEX "onboarding_sessions_user_id_idx" ON "onboarding_sessions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "platform_insights_site_fetched_idx" ON "platform_insights" USING btree ("user_id","platform","site_url","fetched_at");--> statement-breakpoint
CREATE INDEX "website_analyses_user_analysed_idx" ON "website_analyses" USING btree ("user_id","analysed_at");--> statement-breakpoint
CREATE INDEX "website_analyses_task_analysed_idx" ON "website_analyses" USING btree ("task_id","analysed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "capability_gaps_capability_unique" ON "capability_gaps" USING btree ("capability");--> statement-breakpoint
CREATE INDEX "performance_anomalies_metric_detected_idx" ON "performance_anomalies" USING btree ("metric_name","detected_at");--> statement-breakpoint
CREATE UNIQUE INDEX "performance_baselines_metric_unique" ON "performance_baselines" USING btree ("metric_name","tags_key","window");--> statement-breakpoint
CREATE INDEX "system_performance_metrics_name_time_idx" ON "system_performance_metrics" USING btree ("metric_name","timestamp");