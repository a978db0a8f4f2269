import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, redisConfigSchema, usageStreamConfigSchema } from '../index.js';

describe('usage stream settings', () => {
  it('defaults to 4 partitions, and derives the stream namespace from the key prefix without its hash tag', () => {
    const config = parseConfig(
      { usageStream: usageStreamConfigSchema, redis: redisConfigSchema },
      { REDIS_KEY_PREFIX: '{acme}' },
    );
    expect(config.usageStream).toEqual({
      partitions: 4,
      batchSize: 2_000,
      blockMs: 2_000,
      claimIdleMs: 60_000,
    });
    expect(config.redis.spendNamespace).toBe('acme');
  });

  it('names every bad variable', () => {
    let problems: string[] = [];
    try {
      parseConfig(
        { usageStream: usageStreamConfigSchema },
        { USAGE_STREAM_PARTITIONS: '0', USAGE_INGEST_BATCH_SIZE: 'many' },
      );
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^USAGE_STREAM_PARTITIONS: must be at least 1/),
      expect.stringMatching(/^USAGE_INGEST_BATCH_SIZE: must be a number/),
    ]);
  });
});
