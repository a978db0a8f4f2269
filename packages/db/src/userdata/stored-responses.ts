import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../columns.js';

/**
 * Responses API answers kept for `GET /v1/responses/:id`, `input_items` and `previous_response_id` (`store`,
 * default true). `input_items` is the whole context the answer was made from (the items inherited through
 * `previous_response_id`, then this request's own input), so a continuation never walks a chain whose middle may
 * have been deleted; `response` is the Response object exactly as it was returned.
 */
export const storedResponses = pgTable(
  'stored_responses',
  {
    /** `resp_...`, the id the client saw. */
    id: text().primaryKey(),
    userId: uuid().notNull(),
    inputItems: jsonb().$type<Record<string, unknown>[]>().notNull(),
    response: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [index('stored_responses_user_created_idx').on(table.userId, table.createdAt)],
);
