import { and, desc, eq, lt, sql, withUser } from '@switchyard/db';
import { conversations, messages } from '@switchyard/db/userdata';
import type { ChatMessage } from '@switchyard/llm';
import type { UserdataClient } from '../plugins/external/databases.js';

type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;
type NewMessage = Omit<typeof messages.$inferInsert, 'conversationId' | 'userId'>;

// How much history goes to the model with a new message.
const contextMessages = 50;

/** A conversation as the API shows it. */
export function conversationView(row: ConversationRow) {
  return {
    id: row.id,
    title: row.title,
    defaultModel: row.defaultModel,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A message as the API shows it. */
export function messageView(row: MessageRow) {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    provider: row.provider,
    model: row.model,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    usedFallback: row.usedFallback,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Conversations and messages of one user. Every query runs through `withUser`, so row-level security
 * hides other users' rows: someone else's conversation simply does not exist.
 */
export function createConversationStore(userdata: UserdataClient) {
  return {
    async create(userId: string, input: { title?: string; defaultModel?: string }) {
      const [row] = await withUser(userdata, userId, (transaction) =>
        transaction
          .insert(conversations)
          .values({ userId, title: input.title ?? null, defaultModel: input.defaultModel ?? null })
          .returning(),
      );
      return row!;
    },

    list(userId: string, limit: number, before: Date | undefined) {
      return withUser(userdata, userId, (transaction) =>
        transaction
          .select()
          .from(conversations)
          .where(before ? lt(conversations.updatedAt, before) : undefined)
          .orderBy(desc(conversations.updatedAt))
          .limit(limit),
      );
    },

    async find(userId: string, id: string) {
      const [row] = await withUser(userdata, userId, (transaction) =>
        transaction.select().from(conversations).where(eq(conversations.id, id)).limit(1),
      );
      return row;
    },

    /** One page of history, oldest first within the page; `before` pages back in time. */
    async history(userId: string, id: string, limit: number, before: Date | undefined) {
      const rows = await withUser(userdata, userId, (transaction) =>
        transaction
          .select()
          .from(messages)
          .where(and(eq(messages.conversationId, id), before ? lt(messages.createdAt, before) : undefined))
          .orderBy(desc(messages.createdAt), desc(messages.id))
          .limit(limit),
      );
      return rows.reverse();
    },

    async remove(userId: string, id: string): Promise<boolean> {
      const rows = await withUser(userdata, userId, (transaction) =>
        transaction.delete(conversations).where(eq(conversations.id, id)).returning({ id: conversations.id }),
      );
      return rows.length > 0;
    },

    /** The recent history as chat messages, for the model. */
    async context(userId: string, id: string): Promise<ChatMessage[]> {
      const rows = await this.history(userId, id, contextMessages, undefined);
      return rows.map((row) => ({ role: row.role, content: row.content }));
    },

    /** Appends messages and bumps the conversation, in one transaction. */
    async append(userId: string, id: string, newMessages: NewMessage[]): Promise<MessageRow[]> {
      return withUser(userdata, userId, async (transaction) => {
        // Distinct timestamps keep the order of a user message and its answer stable in history.
        const base = Date.now();
        const rows = await transaction
          .insert(messages)
          .values(
            newMessages.map((message, index) => ({
              ...message,
              conversationId: id,
              userId,
              createdAt: new Date(base + index),
            })),
          )
          .returning();
        await transaction
          .update(conversations)
          .set({ updatedAt: sql`now()` })
          .where(eq(conversations.id, id));
        return rows;
      });
    },
  };
}

/** The conversation store. */
export type ConversationStore = ReturnType<typeof createConversationStore>;
