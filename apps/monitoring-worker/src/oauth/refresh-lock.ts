import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { TaskFailureError } from '../failures.js';

/** Read when the module loads: a build that forgot to copy it fails at import, not at the first refresh. */
const releaseScript = readFileSync(new URL('./release-lock.lua', import.meta.url), 'utf8');

type ReleaseCommand = (key: string, token: string) => Promise<number>;
const releaseCommands = new WeakMap<Redis, ReleaseCommand>();

function releaseCommand(redis: Redis): ReleaseCommand {
  let command = releaseCommands.get(redis);
  if (command) return command;
  redis.defineCommand('switchyardReleaseLock', { numberOfKeys: 1, lua: releaseScript });
  command = (redis as unknown as { switchyardReleaseLock: ReleaseCommand }).switchyardReleaseLock.bind(redis);
  releaseCommands.set(redis, command);
  return command;
}

/** Options of `createRefreshLock`. */
export interface RefreshLockOptions {
  redis: Redis;
  /** The Redis key prefix (a hash tag). */
  keyPrefix: string;
  /** How long a holder keeps the lock if it dies without releasing it. */
  ttlMs?: number;
  /** How long a second refresher waits for the holder before giving up (a transient failure, retried). */
  waitMs?: number;
  pollMs?: number;
}

/**
 * One token refresh per connection at a time, across every worker process: `SET key token NX PX ttl`, released by
 * compare-and-delete. Platforms that rotate refresh tokens (Microsoft) invalidate the token a refresh presents, so
 * two refreshes side by side would leave one of them with `invalid_grant`; serialised, the second reads the token
 * the first stored. The TTL frees the lock of a holder that was killed.
 */
export function createRefreshLock(options: RefreshLockOptions) {
  const ttlMs = options.ttlMs ?? 60_000;
  const waitMs = options.waitMs ?? ttlMs + 10_000;
  const pollMs = options.pollMs ?? 100;
  const keyOf = (connectionId: string) => `${options.keyPrefix}:oauth-refresh-lock:${connectionId}`;

  /** Runs `work` holding the connection's lock; waits (up to `waitMs`) while another refresher holds it. */
  return async function withRefreshLock<T>(
    connectionId: string,
    signal: AbortSignal,
    work: () => Promise<T>,
  ): Promise<T> {
    const key = keyOf(connectionId);
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + waitMs;
    while ((await options.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() >= deadline)
        throw new TaskFailureError(
          'another token refresh of this connection is still running',
          'network_error',
        );
      await sleep(pollMs, undefined, { signal });
    }
    try {
      return await work();
    } finally {
      await releaseCommand(options.redis)(key, token).catch(() => undefined);
    }
  };
}

/** Runs work under a connection's refresh lock. */
export type WithRefreshLock = ReturnType<typeof createRefreshLock>;
