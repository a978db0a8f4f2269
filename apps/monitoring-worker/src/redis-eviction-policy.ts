import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Reads Redis's `maxmemory-policy`; undefined when `CONFIG` is refused (some managed Redis services disable it). */
export async function readEvictionPolicy(redis: Pick<Redis, 'config'>): Promise<string | undefined> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Warns unless the policy is `noeviction`: under memory pressure any other policy lets Redis delete queued jobs
 * and their locks, which BullMQ cannot detect. Returns whether it warned.
 */
export function warnUnlessNoEviction(policy: string | undefined, logger: Pick<Logger, 'warn'>): boolean {
  if (policy === 'noeviction') return false;
  if (policy === undefined)
    logger.warn(
      'could not read Redis maxmemory-policy (CONFIG refused); make sure it is noeviction, or queued jobs may be evicted',
    );
  else
    logger.warn(
      { maxmemoryPolicy: policy },
      'Redis maxmemory-policy is not noeviction: Redis may evict queued jobs under memory pressure',
    );
  return true;
}
