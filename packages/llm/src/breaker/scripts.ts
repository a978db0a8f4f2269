import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** What every breaker script returns (or embeds): the provider's shared state after it ran, epoch ms. */
export type SharedState = [openUntil: number, probeUntil: number, rateLimitedUntil: number];

type Script = (key: string, ...argv: Array<string | number>) => Promise<unknown>;

/** The breaker's Lua scripts on one Redis client; arguments as named in each `.lua` file's header. */
export interface BreakerScripts {
  /** `record.lua`: returns `SharedState`. */
  record: Script;
  /** `acquire-probe.lua`: returns `[taken: 0 | 1, SharedState]`. */
  acquireProbe: Script;
  /** `mark-rate-limited.lua`: returns `SharedState`. */
  markRateLimited: Script;
  /** `release-probe.lua`: returns `SharedState`. */
  releaseProbe: Script;
}

/** The methods `defineCommand` adds to the client; prefixed, as they live on the caller's Redis client. */
interface BreakerCommands {
  switchyardBreakerRecord: Script;
  switchyardBreakerAcquireProbe: Script;
  switchyardBreakerMarkRateLimited: Script;
  switchyardBreakerReleaseProbe: Script;
}

/** A script file from this folder, its `--- @include "<file>.lua"` lines (bullmq's convention) replaced by that file. */
function readScript(url: URL): string {
  return readFileSync(url, 'utf8').replace(/^--- @include "([\w-]+\.lua)"$/gm, (_line, name: string) =>
    readFileSync(new URL(`./${name}`, import.meta.url), 'utf8'),
  );
}

// Read once, when the module loads: a build that forgot to copy them fails at import, not at the first failure.
const sources: Record<keyof BreakerCommands, string> = {
  switchyardBreakerRecord: readScript(new URL('./record.lua', import.meta.url)),
  switchyardBreakerAcquireProbe: readScript(new URL('./acquire-probe.lua', import.meta.url)),
  switchyardBreakerMarkRateLimited: readScript(new URL('./mark-rate-limited.lua', import.meta.url)),
  switchyardBreakerReleaseProbe: readScript(new URL('./release-probe.lua', import.meta.url)),
};

const defined = new WeakMap<Redis, BreakerScripts>();

/**
 * The breaker scripts on `redis`, defined once per client with `defineCommand`: ioredis sends each by EVALSHA and
 * loads it (EVAL) only when the server does not know it yet.
 */
export function breakerScripts(redis: Redis): BreakerScripts {
  let scripts = defined.get(redis);
  if (scripts) return scripts;
  for (const [name, lua] of Object.entries(sources)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  const client = redis as unknown as BreakerCommands;
  scripts = {
    record: (key, ...argv) => client.switchyardBreakerRecord(key, ...argv),
    acquireProbe: (key, ...argv) => client.switchyardBreakerAcquireProbe(key, ...argv),
    markRateLimited: (key, ...argv) => client.switchyardBreakerMarkRateLimited(key, ...argv),
    releaseProbe: (key, ...argv) => client.switchyardBreakerReleaseProbe(key, ...argv),
  };
  defined.set(redis, scripts);
  return scripts;
}
