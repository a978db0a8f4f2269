import { boolean, check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { oneOf, timestamps, timestamptz } from '../columns.js';

/** A chat thread of one user; `default_model` is used when a message names no model. */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    title: text(),
    defaultModel: text(),
    ...timestamps(),
  },
  (table) => [index('conversations_user_updated_idx').on(table.userId, table.updatedAt)],
);

/** Values of `messages.role`. */
export const messageRoles = ['system', 'user', 'assistant', 'tool'] as const;

/**
 * Messages of a conversation, deleted with it. Page history with keyset pagination on (created_at, id),
 * which the (conversation_id, created_at, id) index serves. `provider`/`model` are set on assistant messages.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid().notNull(),
    role: text({ enum: messageRoles }).notNull(),
    content: text().notNull(),
    provider: text(),
    model: text(),
    promptTokens: integer(),
    completionTokens: integer(),
    usedFallback: boolean().notNull().default(false),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    index('messages_conversation_history_idx').on(table.conversationId, table.createdAt, table.id),
    check('messages_role_check', oneOf('role', messageRoles)),
  ],
);
