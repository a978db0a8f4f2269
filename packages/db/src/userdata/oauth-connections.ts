import { check, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { oneOf, timestamps, timestamptz } from '../columns.js';

/** Values of `oauth_connections.platform`. */
export const oauthConnectionPlatforms = ['gsc', 'bing', 'wordpress', 'wix'] as const;
/** Values of `oauth_connections.status`. */
export const oauthConnectionStatuses = ['active', 'expired', 'revoked', 'error'] as const;

/**
 * A user's OAuth grant on a platform. Tokens are stored encrypted with `createSecretBox` (never plaintext);
 * `token_expires_at` is when the access token expires.
 */
export const oauthConnections = pgTable(
  'oauth_connections',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid().notNull(),
    platform: text({ enum: oauthConnectionPlatforms }).notNull(),
    siteUrl: text(),
    encryptedAccessToken: text().notNull(),
    encryptedRefreshToken: text(),
    tokenExpiresAt: timestamptz(),
    scope: text(),
    status: text({ enum: oauthConnectionStatuses }).notNull().default('active'),
    lastRefreshedAt: timestamptz(),
    ...timestamps(),
  },
  (table) => [
    index('oauth_connections_user_platform_idx').on(table.userId, table.platform),
    check('oauth_connections_platform_check', oneOf('platform', oauthConnectionPlatforms)),
    check('oauth_connections_status_check', oneOf('status', oauthConnectionStatuses)),
  ],
);
