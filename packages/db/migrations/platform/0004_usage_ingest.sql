CREATE TABLE "usage_dead_letters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "usage_dead_letters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"stream_key" text NOT NULL,
	"stream_id" text NOT NULL,
	"request_id" text,
	"attempt" integer,
	"raw_event" text NOT NULL,
	"error" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "api_usage_logs_request_id_idx";--> statement-breakpoint
ALTER TABLE "api_usage_logs" ADD COLUMN "api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "api_usage_logs" ADD COLUMN "tokens_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "api_usage_logs" ADD COLUMN "price_estimated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_summaries" ADD COLUMN "cached_tokens" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "usage_dead_letters_stream_entry_unique" ON "usage_dead_letters" USING btree ("stream_key","stream_id");--> statement-breakpoint
CREATE INDEX "usage_dead_letters_first_seen_idx" ON "usage_dead_letters" USING btree ("first_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "api_usage_logs_request_attempt_unique" ON "api_usage_logs" USING btree ("request_id","attempt");