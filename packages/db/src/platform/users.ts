import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { oneOf, timestamps, timestamptz } from '../columns.js';

/** Values of `users.role`. */
export const userRoles = ['user', 'admin'] as const;
/** Values of `users.status`; only `active` users may authenticate. */
export const userStatuses = ['active', 'suspended', 'deleted'] as const;

/** Accounts. `id` is the uuid every other table (in both databases) calls `user_id`. Store `email` lowercased. */
export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text(),
    role: text({ enum: userRoles }).notNull().default('user'),
    status: text({ enum: userStatuses }).notNull().default('active'),
    ...timestamps(),
  },
  (table) => [
    uniqueIndex('users_email_unique').on(table.email),
    check('users_role_check', oneOf('role', userRoles)),
    check('users_status_check', oneOf('status', userStatuses)),
  ],
);

/**
 * Gateway API keys. Only `key_hash` (lowercase sha256 hex of the full key, unique) is stored, never the key;
 * `key_prefix` is the first characters for display. A key is usable while `revoked_at` is null and
 * `expires_at` is null or in the future.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text().notNull().default('default'),
    keyHash: text().notNull(),
    keyPrefix: text().notNull(),
    lastUsedAt: timestamptz(),
    expiresAt: timestamptz(),
    revokedAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('api_keys_key_hash_unique').on(table.keyHash),
    index('api_keys_user_id_idx').on(table.userId),
    check('api_keys_key_hash_check', sql`"key_hash" ~ '^[0-9a-f]{64}$'`),
  ],
);
