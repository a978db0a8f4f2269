import { randomUUID } from 'node:crypto';
import { createPlatformDb, type PlatformDb } from '@switchyard/db';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import {
  decodeUsageEvent,
  usageConsumerGroup,
  usageStreamKey,
  usageStreamKeys,
  type UsageEvent,
} from '@switchyard/jobs';
import { startFaultProxy } from '@switchyard/net/testing';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createUsageBatchWriter,
  createUsageIngester,
  type UsageIngester,
} from '../../src/usage-ingest/index.js';
import { deleteRedisPrefix } from '../helper.js';
import {
  appendEvents,
  requestEvents,
  streamConnection,
  summaryOf,
  uniqueNamespace,
  usageRowCount,
  usageSettings,
  waitUntil,
} from './usage-stream.js';

const partitions = 4;
const settings = usageSettings({ USAGE_STREAM_PARTITIONS: String(partitions) });
let databases: TestDatabases;
let redis: Redis;
let namespace: string;
const ingesters: UsageIngester[] = [];

beforeAll(() => {
  redis = streamConnection();
});

beforeEach(async () => {
  databases = await createTestDatabases();
  namespace = uniqueNamespace();
});

afterEach(async () => {
  await Promise.all(ingesters.splice(0).map((ingester) => ingester.close()));
  await databases.drop();
  await deleteRedisPrefix(namespace);
});

afterAll(() => {
  redis.disconnect();
});

async function startIngester(overrides: { platform?: PlatformDb; settings?: typeof settings } = {}) {
  const batches: { consumer: string; entries: number; inserted: number }[] = [];
  const ingester = createUsageIngester({
    redisUrl: 'redis://127.0.0.1:6379',
    namespace,
    settings: overrides.settings ?? settings,
    platform: overrides.platform ?? databases.platform,
    logger: pino({ level: 'silent' }),
    onBatch: (batch) =>
      batches.push({ consumer: ingester.consumer, entries: batch.entries, inserted: batch.inserted }),
  });
  ingesters.push(ingester);
  await ingester.start();
  return { ingester, batches };
}

/** Entries still in the streams (the ingester deletes what it acknowledged) and entries pending in the group. */
async function streamBacklog() {
  let length = 0;
  let pending = 0;
  for (const key of usageStreamKeys(namespace, partitions)) {
    length += await redis.xlen(key);
    const summary = (await redis.xpending(key, usageConsumerGroup).catch(() => [0])) as [number];
    pending += Number(summary[0]);
  }
  return { length, pending };
}

async function deadLetters() {
  const result = await databases.platform.pool.query<{
    requestId: string | null;
    error: string;
    rawEvent: string;
  }>('select request_id as "requestId", error, raw_event as "rawEvent" from usage_dead_letters order by id');
  return result.rows;
}

/**
 * A workload over two users: `requests` requests each, every third with one fallback, every seventh with two,
 * every fifth failing on every provider. Returns the events and what each user's summary must say.
 */
function workload(users: string[], requests: number) {
  const events: UsageEvent[] = [];
  const expected = new Map<
    string,
    { requests: number; errors: number; fallbacks: number; attempts: number }
  >();
  for (const userId of users) {
    const totals = { requests: 0, errors: 0, fallbacks: 0, attempts: 0 };
    for (let index = 0; index < requests; index += 1) {
      const failsEverywhere = index % 5 === 0;
      const fallbacks = index % 7 === 0 ? 2 : index % 3 === 0 ? 1 : 0;
      const providers = ['gemini', 'openai', 'anthropic'].slice(0, fallbacks + 1);
      const attempts = providers.map((provider, position) => ({
        provider,
        status:
          failsEverywhere || position < providers.length - 1 ? ('error' as const) : ('success' as const),
        promptTokens: 100,
        completionTokens: position < providers.length - 1 || failsEverywhere ? 0 : 50,
        cachedTokens: 20,
        costUsd: 0.0015,
      }));
      events.push(...requestEvents(userId, attempts));
      totals.requests += 1;
      totals.errors += failsEverywhere ? 1 : 0;
      totals.fallbacks += fallbacks;
      totals.attempts += attempts.length;
    }
    expected.set(userId, totals);
  }
  return { events, expected };
}

describe('usage ingestion from the stream', () => {
  it('stores N requests with k fallbacks as N + k rows and sums each user month exactly', async () => {
    const users = [randomUUID(), randomUUID()];
    const { events, expected } = workload(users, 60);
    // Admin-key calls have no user: they are logged but belong to no summary.
    events.push(...requestEvents(null, [{ provider: 'openai', status: 'success', costUsd: 0.01 }]));
    await startIngester();
    await appendEvents(redis, namespace, partitions, events);

    await waitUntil(
      'every event is stored',
      async () => (await usageRowCount(databases.platform)) >= events.length,
    );
    await waitUntil('the streams are drained', async () => (await streamBacklog()).length === 0);

    const requests = 60 * users.length + 1;
    const fallbacks = [...expected.values()].reduce((total, user) => total + user.fallbacks, 0);
    expect(await usageRowCount(databases.platform)).toBe(requests + fallbacks);
    expect(await streamBacklog()).toEqual({ length: 0, pending: 0 });
    for (const userId of users) {
      const totals = expected.get(userId)!;
      const summary = await summaryOf(databases.platform, userId);
      const successes = totals.requests - totals.errors;
      expect(summary).toMatchObject({
        requests: 60,
        errors: totals.errors,
        fallbacks: totals.fallbacks,
        promptTokens: 100 * totals.attempts,
        completionTokens: 50 * successes,
        cachedTokens: 20 * totals.attempts,
        totalTokens: 100 * totals.attempts + 50 * successes,
      });
      expect(summary!.cost).toBeCloseTo(0.0015 * totals.attempts, 6);
      const perProvider = summary!.perProvider;
      expect(Object.keys(perProvider).sort()).toEqual(['anthropic', 'gemini', 'openai']);
      expect(Object.values(perProvider).reduce((total, provider) => total + provider.requests, 0)).toBe(
        totals.attempts,
      );
      expect(perProvider.gemini!.requests).toBe(60);
    }
    const userEvents = events.filter((event) => event.userId === users[0]);
    const anthropicErrors = userEvents.filter(
      (event) => event.provider === 'anthropic' && event.status === 'error',
    ).length;
    expect((await summaryOf(databases.platform, users[0]!))!.perProvider.anthropic!.errors).toBe(
      anthropicErrors,
    );
    // The event's fields reach the row: key, estimates, error kind, fallback origin, time.
    const [first] = userEvents;
    const row = await databases.platform.pool.query(
      `select api_key_id, tokens_estimated, price_estimated, error_class, fallback_from, created_at
       from api_usage_logs where request_id = $1 and attempt = 1`,
      [first!.requestId],
    );
    expect(row.rows[0]).toEqual({
      api_key_id: first!.apiKeyId,
      tokens_estimated: false,
      price_estimated: false,
      error_class: first!.errorKind,
      fallback_from: null,
      created_at: new Date(first!.occurredAt),
    });
  });

  it('counts nothing twice when a consumer committed a batch and died before acknowledging it', async () => {
    const userId = randomUUID();
    const events = Array.from({ length: 30 }, () =>
      requestEvents(userId, [
        { provider: 'gemini', status: 'error', costUsd: 0.001 },
        { provider: 'openai', status: 'success', promptTokens: 10, completionTokens: 5, costUsd: 0.002 },
      ]),
    ).flat();
    await appendEvents(redis, namespace, partitions, events);
    // A consumer that reads and commits (the same writer the ingester uses) and is killed before its XACK.
    const keys = usageStreamKeys(namespace, partitions);
    for (const key of keys) await redis.xgroup('CREATE', key, usageConsumerGroup, '0', 'MKSTREAM');
    const read = (await redis.xreadgroup(
      'GROUP',
      usageConsumerGroup,
      'dead-consumer',
      'COUNT',
      1_000,
      'STREAMS',
      ...keys,
      ...keys.map(() => '>'),
    )) as [string, [string, string[]][]][];
    const entries = read.flatMap(([streamKey, rows]) =>
      rows.map(([streamId, fields]) => ({ streamKey, streamId, event: decodeUsageEvent(fields) })),
    );
    expect(entries).toHaveLength(60);
    expect(await createUsageBatchWriter(databases.platform).write(entries)).toBe(60);
    expect((await streamBacklog()).pending).toBe(60);

    // Restarted: a new consumer claims the abandoned entries once they are idle, stores nothing new, acks them.
    const { batches } = await startIngester();
    await waitUntil(
      'the abandoned entries are acknowledged',
      async () => (await streamBacklog()).pending === 0,
    );
    expect(batches.reduce((total, batch) => total + batch.entries, 0)).toBe(60);
    expect(batches.reduce((total, batch) => total + batch.inserted, 0)).toBe(0);
    expect(await usageRowCount(databases.platform)).toBe(60);
    expect(await summaryOf(databases.platform, userId)).toMatchObject({
      requests: 30,
      errors: 0,
      fallbacks: 30,
      promptTokens: 300,
      completionTokens: 150,
    });
    expect((await summaryOf(databases.platform, userId))!.cost).toBeCloseTo(0.09, 6);
    expect(await streamBacklog()).toEqual({ length: 0, pending: 0 });
  });

  it('dead-letters the event Postgres rejects (a NUL byte in the model) and malformed entries; the rest lands', async () => {
    const userId = randomUUID();
    const good = Array.from({ length: 40 }, () =>
      requestEvents(userId, [{ provider: 'openai', status: 'success', promptTokens: 7, costUsd: 0.001 }]),
    ).flat();
    const [poisoned] = requestEvents(userId, [
      { provider: 'openai', model: 'gpt-4o\u0000mini', status: 'success', promptTokens: 1_000, costUsd: 1 },
    ]);
    const events = [...good.slice(0, 20), poisoned!, ...good.slice(20)];
    await appendEvents(redis, namespace, partitions, events);
    const partitionKey = usageStreamKey(namespace, 0);
    await redis.xadd(partitionKey, '*', 'event', '{"requestId": "truncated');
    await redis.xadd(partitionKey, '*', 'something', 'else');
    await startIngester();

    await waitUntil('the streams are drained', async () => (await streamBacklog()).length === 0);
    expect(await usageRowCount(databases.platform)).toBe(40);
    expect(await summaryOf(databases.platform, userId)).toMatchObject({ requests: 40, promptTokens: 280 });
    expect((await summaryOf(databases.platform, userId))!.cost).toBeCloseTo(0.04, 6);
    const letters = await deadLetters();
    expect(letters).toHaveLength(3);
    const rejected = letters.find((letter) => letter.requestId === poisoned!.requestId);
    expect(rejected?.error).toMatch(/^22021: invalid byte sequence/);
    expect(rejected?.rawEvent).toContain('gpt-4o\\u0000mini');
    expect(letters.filter((letter) => letter.requestId === null).map((letter) => letter.error)).toEqual([
      expect.stringMatching(/^malformed entry: .*JSON/),
      expect.stringMatching(/^malformed entry: usage stream entry has no "event" field/),
    ]);
    expect(await streamBacklog()).toEqual({ length: 0, pending: 0 });
  });

  it('two consumers in one group split the entries and store each once', async () => {
    const users = Array.from({ length: 8 }, () => randomUUID());
    const { events } = workload(users, 100);
    const first = await startIngester();
    const second = await startIngester();
    for (let start = 0; start < events.length; start += 50)
      await appendEvents(redis, namespace, partitions, events.slice(start, start + 50));

    await waitUntil('the streams are drained', async () => (await streamBacklog()).length === 0);
    const batches = [...first.batches, ...second.batches];
    // Both blocked on the group when the appends came, so Redis handed entries to each.
    expect(first.batches.length).toBeGreaterThan(0);
    expect(second.batches.length).toBeGreaterThan(0);
    expect(batches.reduce((total, batch) => total + batch.entries, 0)).toBe(events.length);
    expect(batches.reduce((total, batch) => total + batch.inserted, 0)).toBe(events.length);
    expect(await usageRowCount(databases.platform)).toBe(events.length);
    for (const userId of users) expect((await summaryOf(databases.platform, userId))?.requests).toBe(100);
  });

  it('stops quietly when shut down while it is still starting (a SIGTERM right after boot)', async () => {
    const ingester = createUsageIngester({
      redisUrl: 'redis://127.0.0.1:6379',
      namespace,
      settings,
      platform: databases.platform,
      logger: pino({ level: 'silent' }),
    });
    const started = ingester.start();
    await ingester.close();
    await expect(started).resolves.toBeUndefined();
  });

  it('keeps every event while Postgres is unreachable and stores each once when it returns', async () => {
    const url = new URL(databases.config.platformUrl);
    const proxy = await startFaultProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const platform = createPlatformDb(proxy.via(databases.config.platformUrl), {
      poolMax: 2,
      timeouts: { connectMs: 1_000, statementMs: 5_000, idleInTransactionMs: 5_000 },
    });
    try {
      const userId = randomUUID();
      const { ingester, batches } = await startIngester({ platform });
      const appended: UsageEvent[] = [];
      const append = async (requests: number) => {
        const events = Array.from({ length: requests }, () =>
          requestEvents(userId, [
            { provider: 'groq', status: 'error', costUsd: 0 },
            { provider: 'openai', status: 'success', promptTokens: 3, completionTokens: 2, costUsd: 0.0001 },
          ]),
        ).flat();
        await appendEvents(redis, namespace, partitions, events);
        appended.push(...events);
      };
      await append(20);
      await waitUntil(
        'the first events are stored',
        async () => (await usageRowCount(databases.platform)) === 40,
      );

      await proxy.setMode('refuse');
      // Continuous appends while Postgres is away: nothing can be stored, nothing is acknowledged.
      for (let round = 0; round < 10; round += 1) await append(10);
      await waitUntil(
        'the ingester has read into the outage',
        async () => (await streamBacklog()).pending > 0,
      );
      expect(await usageRowCount(databases.platform)).toBe(40);
      expect((await streamBacklog()).length).toBe(appended.length - 40);
      // What /metrics reports as the backlog.
      expect(await ingester.backlog()).toBe(appended.length - 40);

      await proxy.setMode('pass');
      for (let round = 0; round < 5; round += 1) await append(10);
      await waitUntil('every event is stored', async () => (await streamBacklog()).length === 0);

      expect(await usageRowCount(databases.platform)).toBe(appended.length);
      expect(await summaryOf(databases.platform, userId)).toMatchObject({
        requests: appended.length / 2,
        fallbacks: appended.length / 2,
        errors: 0,
        promptTokens: (3 * appended.length) / 2,
      });
      expect(await deadLetters()).toEqual([]);
      expect(batches.reduce((total, batch) => total + batch.entries, 0)).toBe(appended.length);
    } finally {
      await Promise.all(ingesters.splice(0).map((ingester) => ingester.close()));
      await platform.close();
      await proxy.close();
    }
  });
});
