import { boolean, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from '../columns.js';

/**
 * A user's own provider credentials. `encrypted_api_key` is `createSecretBox(...).encrypt(key)`, never the key;
 * `api_key_hint` is at most the last 4 characters for display. Unique (user_id, provider).
 */
export const userAiAgents = pgTable(
  'user_ai_agents',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    provider: text().notNull(),
    model: text(),
    displayName: text(),
    baseUrl: text(),
    encryptedApiKey: text().notNull(),
    apiKeyHint: text(),
    enabled: boolean().notNull().default(true),
    ...timestamps(),
  },
  (table) => [uniqueIndex('user_ai_agents_user_provider_unique').on(table.userId, table.provider)],
);
