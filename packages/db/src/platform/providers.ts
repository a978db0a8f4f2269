import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  bigint,
} from 'drizzle-orm/pg-core';
import { timestamps, timestamptz } from '../columns.js';

/** Catalog of LLM providers the platform offers (one row per provider name); `models` lists model ids. */
export const aiAgentProviders = pgTable(
  'ai_agent_providers',
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: text().notNull(),
    displayName: text().notNull(),
    baseUrl: text(),
    defaultModel: text().notNull(),
    models: jsonb().$type<string[]>().notNull().default([]),
    capabilities: jsonb().$type<string[]>().notNull().default([]),
    priority: integer().notNull().default(100),
    enabled: boolean().notNull().default(true),
    ...timestamps(),
  },
  (table) => [uniqueIndex('ai_agent_providers_provider_unique').on(table.provider)],
);

/**
 * One row each time the fallback client leaves a provider. `to_provider`/`to_model` are null when no provider
 * was left to try; `status` is the HTTP status of the failed attempt (null when there was no response);
 * `error_kind` is the llm error classification.
 */
export const providerFallbackEvents = pgTable(
  'provider_fallback_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: text().notNull(),
    userId: uuid(),
    fromProvider: text().notNull(),
    toProvider: text(),
    fromModel: text().notNull(),
    toModel: text(),
    errorKind: text().notNull(),
    status: integer(),
    reason: text(),
    streaming: boolean().notNull().default(false),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    index('provider_fallback_events_created_idx').on(table.createdAt),
    index('provider_fallback_events_from_provider_idx').on(table.fromProvider, table.createdAt),
    index('provider_fallback_events_request_id_idx').on(table.requestId),
  ],
);
