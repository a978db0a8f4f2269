import { createRedisConnection } from '@switchyard/jobs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvictionPolicy, warnUnlessNoEviction } from '../src/redis-eviction-policy.js';
import { redisUrl } from './helper.js';

const redisPolicies = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
];
const redis = createRedisConnection(redisUrl, { role: 'worker' });

afterAll(() => redis.disconnect());

function capturingLogger() {
  const lines: Array<{ msg: string; maxmemoryPolicy?: string }> = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) },
  );
  return { logger, lines };
}

// The shared Redis's policy is read, never changed: other suites run against it at the same time.
describe('the startup check of Redis maxmemory-policy', () => {
  it('reads the policy of the real Redis and warns exactly when it is not noeviction', async () => {
    const policy = await readEvictionPolicy(redis);
    expect(redisPolicies).toContain(policy);
    const { logger, lines } = capturingLogger();
    expect(warnUnlessNoEviction(policy, logger)).toBe(policy !== 'noeviction');
    expect(lines).toHaveLength(policy === 'noeviction' ? 0 : 1);
  });

  it('warns, naming the policy, when Redis may evict keys', () => {
    const { logger, lines } = capturingLogger();
    expect(warnUnlessNoEviction('allkeys-lru', logger)).toBe(true);
    expect(lines).toEqual([
      expect.objectContaining({
        maxmemoryPolicy: 'allkeys-lru',
        msg: expect.stringMatching(/not noeviction/) as unknown,
      }),
    ]);
  });

  it('stays quiet with noeviction', () => {
    const { logger, lines } = capturingLogger();
    expect(warnUnlessNoEviction('noeviction', logger)).toBe(false);
    expect(lines).toEqual([]);
  });

  it('warns that it could not check when the policy cannot be read', async () => {
    const unreachable = createRedisConnection('redis://127.0.0.1:1', { role: 'producer' });
    unreachable.on('error', () => undefined);
    try {
      const policy = await readEvictionPolicy(unreachable);
      expect(policy).toBeUndefined();
      const { logger, lines } = capturingLogger();
      expect(warnUnlessNoEviction(policy, logger)).toBe(true);
      expect(lines).toEqual([
        expect.objectContaining({ msg: expect.stringMatching(/could not read/) as unknown }),
      ]);
    } finally {
      unreachable.disconnect();
    }
  });
});
