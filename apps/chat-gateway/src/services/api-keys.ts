import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createInvalidatedCache } from '@switchyard/cache';
import { and, eq, gt, isNull, or, sql } from '@switchyard/db';
import { apiKeys, users } from '@switchyard/db/platform';
import type { Redis } from 'ioredis';
import type { PlatformClient } from '../plugins/external/databases.js';
import { createKeyLastUse } from './key-last-use.js';

/** Who a request is made by, once its API key was checked. */
export interface Principal {
  userId: string;
  keyId: string;
  email: string;
}

/** A fresh `sy-...` key: the secret (shown once), its sha256 hex hash (stored) and its display prefix. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `sy-${randomBytes(24).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10) };
}

/** The stored form of a key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );
}

interface ApiKeyServiceOptions {
  platform: PlatformClient;
  redis: Redis;
  subscriber: Redis;
  keyPrefix: string;
  /** Upper bound on how long a cached key may outlive a lost revocation message. */
  cacheTtlMs?: number;
  logger: { warn(object: Record<string, unknown>, message: string): void };
}

/**
 * API keys: issue, authenticate through an in-process cache, revoke. A revocation is published on Redis
 * so every replica drops the key from its cache at once; the cache TTL bounds staleness if a message is lost.
 */
export async function createApiKeyService(options: ApiKeyServiceOptions) {
  const events = new EventEmitter<{ revoked: [keyHash: string] }>();
  const { db } = options.platform;
  // A reconnect forgets every key (the package's default): revocations published meanwhile were lost.
  const cache = createInvalidatedCache<Principal>({
    redis: options.redis,
    subscriber: options.subscriber,
    channel: `${options.keyPrefix}:api-keys:revoked`,
    max: 50_000,
    ttlMs: options.cacheTtlMs ?? 60_000,
    applyMessage: (keyHash, entries) => {
      entries.delete(keyHash);
      events.emit('revoked', keyHash);
    },
  });
  await cache.subscribed;
  const recordUse = createKeyLastUse({ db, logger: options.logger });

  async function authenticate(key: string): Promise<Principal | undefined> {
    if (!key.startsWith('sy-')) return undefined;
    const keyHash = hashApiKey(key);
    const cached = cache.entries.get(keyHash);
    if (cached) {
      recordUse(cached.keyId);
      return cached;
    }
    const [row] = await db
      .select({ keyId: apiKeys.id, userId: apiKeys.userId, email: users.email })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(
        and(
          eq(apiKeys.keyHash, keyHash),
          isNull(apiKeys.revokedAt),
          or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)),
          eq(users.status, 'active'),
        ),
      )
      .limit(1);
    if (!row) return undefined;
    cache.entries.set(keyHash, row);
    recordUse(row.keyId);
    return row;
  }

  async function issue(userId: string, name: string | undefined) {
    const generated = generateApiKey();
    const [row] = await db
      .insert(apiKeys)
      .values({ userId, keyHash: generated.hash, keyPrefix: generated.prefix, name: name ?? 'default' })
      .returning({ id: apiKeys.id, createdAt: apiKeys.createdAt });
    if (!row) throw new Error('api key insert returned no row');
    return {
      id: row.id,
      key: generated.key,
      prefix: generated.prefix,
      name: name ?? 'default',
      createdAt: row.createdAt,
    };
  }

  /** Revokes a key; resolves false when there was no such active key. */
  async function revoke(keyId: string): Promise<boolean> {
    const [row] = await db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ keyHash: apiKeys.keyHash });
    if (!row) return false;
    await cache.invalidate(row.keyHash);
    return true;
  }

  return { authenticate, issue, revoke, close: () => cache.close(), events };
}

/** The API key service decorator. */
export type ApiKeyService = Awaited<ReturnType<typeof createApiKeyService>>;
