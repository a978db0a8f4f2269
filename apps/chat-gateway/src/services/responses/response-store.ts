import { eq, withUser } from '@switchyard/db';
import { storedResponses } from '@switchyard/db/userdata';
import type { UserdataClient } from '../../plugins/external/databases.js';
import type { ResponseObject } from './responses-answer.js';
import type { ConversationItem } from './responses-request.js';

/** A stored Response and the context items it was made from. */
export interface StoredResponse {
  response: ResponseObject;
  inputItems: ConversationItem[];
}

/** What a Response's output contributes to the next turn's context, as input items. */
export function outputAsItems(response: ResponseObject): ConversationItem[] {
  return response.output.map((item): ConversationItem =>
    item.type === 'message'
      ? {
          id: item.id,
          type: 'message',
          role: 'assistant',
          content: item.content.map((part) => ({ type: 'output_text', text: part.text })),
          status: 'completed',
        }
      : { ...item, status: 'completed' },
  );
}

/**
 * Stored Responses of one user (`store`, default true). Every query runs through `withUser`, so row-level
 * security hides other users' rows: someone else's response id simply does not exist.
 */
export function createResponseStore(userdata: UserdataClient) {
  return {
    async save(userId: string, response: ResponseObject, inputItems: ConversationItem[]): Promise<void> {
      await withUser(userdata, userId, (transaction) =>
        transaction.insert(storedResponses).values({
          id: response.id,
          userId,
          response: response as unknown as Record<string, unknown>,
          inputItems: inputItems,
          createdAt: new Date(response.created_at * 1000),
        }),
      );
    },

    async find(userId: string, id: string): Promise<StoredResponse | undefined> {
      const [row] = await withUser(userdata, userId, (transaction) =>
        transaction
          .select({ response: storedResponses.response, inputItems: storedResponses.inputItems })
          .from(storedResponses)
          .where(eq(storedResponses.id, id)),
      );
      return row
        ? {
            response: row.response as unknown as ResponseObject,
            inputItems: row.inputItems as unknown as ConversationItem[],
          }
        : undefined;
    },

    /** True when the response existed (and was the user's). */
    async delete(userId: string, id: string): Promise<boolean> {
      const deleted = await withUser(userdata, userId, (transaction) =>
        transaction
          .delete(storedResponses)
          .where(eq(storedResponses.id, id))
          .returning({ id: storedResponses.id }),
      );
      return deleted.length > 0;
    },
  };
}
