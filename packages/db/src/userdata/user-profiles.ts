import { jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from '../columns.js';

/** Profile and preferences of a user; one row per user, keyed by the platform `users.id`. */
export const userProfiles = pgTable('user_profiles', {
  userId: uuid().primaryKey(),
  displayName: text(),
  timezone: text(),
  locale: text(),
  preferredProvider: text(),
  preferredModel: text(),
  preferences: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps(),
});
