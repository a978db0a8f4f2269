import { and, eq, isNull, lt, or, sql, type PlatformDatabase } from '@switchyard/db';
import { apiKeys } from '@switchyard/db/platform';
import { LRUCache } from 'lru-cache';

/**
 * Keeps `api_keys.last_used_at` roughly current (the operator sees when a key was last used) without a write per
 * request: each process writes a key's time at most once per `intervalMs`, off the request path, and the update
 * itself skips a row written less than `intervalMs` ago, so N replicas add at most N writes a minute per key.
 */
export function createKeyLastUse(options: {
  db: PlatformDatabase;
  intervalMs?: number;
  logger: { warn(object: Record<string, unknown>, message: string): void };
}) {
  const intervalMs = options.intervalMs ?? 60_000;
  const recent = new LRUCache<string, true>({ max: 50_000, ttl: intervalMs });
  return function recordUse(keyId: string): void {
    if (recent.has(keyId)) return;
    recent.set(keyId, true);
    options.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, keyId),
          or(
            isNull(apiKeys.lastUsedAt),
            lt(apiKeys.lastUsedAt, sql`now() - make_interval(secs => ${intervalMs / 1_000})`),
          ),
        ),
      )
      .then(
        () => undefined,
        (error: unknown) => options.logger.warn({ reason: String(error) }, 'api key last use not recorded'),
      );
  };
}
