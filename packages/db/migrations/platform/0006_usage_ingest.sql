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
-- Rows written before (request_id, attempt) was unique (e.g. several under request id "unknown") are kept, each
-- duplicate renamed "<request_id>:<id>", so the unique index can be built without losing any usage.
UPDATE "api_usage_logs" SET "request_id" = "request_id" || ':' || "id" WHERE "id" IN (SELECT "id" FROM (SELECT "id", row_number() OVER (PARTITION BY "request_id", "attempt" ORDER BY "id") AS "position" FROM "api_usage_logs") AS "ranked" WHERE "position" > 1);--> statement-breakpoint
CREATE UNIQUE INDEX "api_usage_logs_request_attempt_unique" ON "api_usage_logs" USING btree ("request_id","attempt");