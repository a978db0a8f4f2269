import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** `fixed-window.lua`: counts one action; `[1, 0]` allowed, `[0, ms left]` over the limit. */
export type FixedWindowCommand = (key: string, limit: number, windowMs: number) => Promise<[number, number]>;

// Read when the module loads: a build that forgot to copy it fails at import, not at the first request.
const script = readFileSync(new URL('./fixed-window.lua', import.meta.url), 'utf8');
const commands = new WeakMap<Redis, FixedWindowCommand>();

/** `fixed-window.lua` on `redis`, defined once per client with `defineCommand` (sent by EVALSHA). */
export function fixedWindowCommand(redis: Redis): FixedWindowCommand {
  let command = commands.get(redis);
  if (command) return command;
  redis.defineCommand('switchyardFixedWindow', { numberOfKeys: 1, lua: script });
  command = (redis as unknown as { switchyardFixedWindow: FixedWindowCommand }).switchyardFixedWindow.bind(
    redis,
  );
  commands.set(redis, command);
  return command;
}
