/**
 * Usage ingestion benchmark, both rows measured in this one run on the same events:
 * 1. bare insert: the rows go into `api_usage_logs` with one `unnest` insert per batch (no conflict check, no
 *    summaries, no Redis): the floor of what Postgres costs;
 * 2. ingestion: the events are first appended to the usage stream partitions (not timed), then one ingester
 *    reads, writes (rows + monthly summaries in one transaction per batch) and acknowledges them all.
 * Prints rows/s of each, the ratio (target >= 0.5) and the load average before and after (the machine is shared).
 * BENCH_USAGE_EVENTS (default 100,000), BENCH_USAGE_USERS (1,000), USAGE_STREAM_PARTITIONS (4) and
 * USAGE_INGEST_BATCH_SIZE (2000) reshape it.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig, readProcessEnv, usageStreamConfigSchema } from '@switchyard/config';
import { createTestDatabases } from '@switchyard/db/testing';
import {
  createRedisConnection,
  encodeUsageEvent,
  usagePartition,
  usageStreamKey,
  type UsageEvent,
} from '@switchyard/jobs';
import { pino } from 'pino';
import { createUsageIngester } from '../src/usage-ingest/index.js';

const env = readProcessEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const eventCount = Number(env.BENCH_USAGE_EVENTS ?? 100_000);
const userCount = Number(env.BENCH_USAGE_USERS ?? 1_000);
const settings = parseConfig({ usageStream: usageStreamConfigSchema }, env).usageStream;
const namespace = `sy-bench-usage-${randomUUID().slice(0, 8)}`;

/** Requests over `userCount` users; every fifth has one fallback attempt before its answer. */
function generateEvents(): UsageEvent[] {
  const users = Array.from({ length: userCount }, () => randomUUID());
  const events: UsageEvent[] = [];
  const now = Date.now();
  for (let index = 0; events.length < eventCount; index += 1) {
    const userId = users[index % users.length]!;
    const requestId = `bench-${index}`;
    const withFallback = index % 5 === 0 && events.length + 2 <= eventCount;
    const base = {
      requestId,
      userId,
      apiKeyId: null,
      endpoint: 'chat.completions',
      cachedTokens: 0,
      tokensEstimated: false,
      priceEstimated: false,
      latencyMs: 200,
      streaming: false,
      occurredAt: now,
    };
    if (withFallback)
      events.push({
        ...base,
        attempt: 1,
        provider: 'gemini',
        model: 'gemini-2.0-flash',
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        status: 'error',
        errorKind: 'rate_limit',
        fallbackFrom: null,
        final: false,
      });
    events.push({
      ...base,
      attempt: withFallback ? 2 : 1,
      provider: 'openai',
      model: 'gpt-4o-mini',
      promptTokens: 120,
      completionTokens: 80,
      costUsd: 0.000066,
      status: 'success',
      errorKind: null,
      fallbackFrom: withFallback ? 'gemini' : null,
      final: true,
    });
  }
  return events;
}

const databases = await createTestDatabases({ poolMax: 4 });
const redis = createRedisConnection(redisUrl, { role: 'worker' });
const print = (label: string, value: string) => console.log(`${label.padEnd(56)} ${value}`);

try {
  const events = generateEvents();
  print(
    'events / users / partitions / batch size',
    `${events.length} / ${userCount} / ${settings.partitions} / ${settings.batchSize}`,
  );
  print(
    'load average before (1, 5, 15 min)',
    loadavg()
      .map((load) => load.toFixed(2))
      .join(', '),
  );

  // --- 1. Bare unnest insert of the same rows ---
  const bareStarted = performance.now();
  for (let start = 0; start < events.length; start += settings.batchSize) {
    const batch = events.slice(start, start + settings.batchSize);
    await databases.platform.pool.query(
      `insert into api_usage_logs (request_id, attempt, user_id, api_key_id, provider, model, endpoint,
         prompt_tokens, completion_tokens, cached_tokens, tokens_estimated, cost, price_estimated, latency_ms,
         status, error_class, fallback_from, streaming, created_at)
       select * from unnest($1::text[], $2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
         $8::int[], $9::int[], $10::int[], $11::bool[], $12::numeric[], $13::bool[], $14::int[], $15::text[],
         $16::text[], $17::text[], $18::bool[], $19::timestamptz[])`,
      [
        batch.map((event) => event.requestId),
        batch.map((event) => event.attempt),
        batch.map((event) => event.userId),
        batch.map((event) => event.apiKeyId),
        batch.map((event) => event.provider),
        batch.map((event) => event.model),
        batch.map((event) => event.endpoint),
        batch.map((event) => event.promptTokens),
        batch.map((event) => event.completionTokens),
        batch.map((event) => event.cachedTokens),
        batch.map((event) => event.tokensEstimated),
        batch.map((event) => event.costUsd),
        batch.map((event) => event.priceEstimated),
        batch.map((event) => event.latencyMs),
        batch.map((event) => event.status),
        batch.map((event) => event.errorKind),
        batch.map((event) => event.fallbackFrom),
        batch.map((event) => event.streaming),
        batch.map((event) => new Date(event.occurredAt)),
      ],
    );
  }
  const bareSeconds = (performance.now() - bareStarted) / 1_000;
  await databases.platform.pool.query('truncate api_usage_logs');

  // --- 2. Ingestion from the stream (appending is not timed) ---
  for (let start = 0; start < events.length; start += 1_000) {
    const pipeline = redis.pipeline();
    for (const event of events.slice(start, start + 1_000))
      pipeline.xadd(
        usageStreamKey(namespace, usagePartition(event.userId, settings.partitions)),
        '*',
        ...encodeUsageEvent(event),
      );
    await pipeline.exec();
  }
  let ingested = 0;
  const ingester = createUsageIngester({
    redisUrl,
    namespace,
    settings,
    platform: databases.platform,
    logger: pino({ level: 'warn' }),
    onBatch: (batch) => (ingested += batch.entries),
  });
  const ingestStarted = performance.now();
  await ingester.start();
  while (ingested < events.length) await sleep(5);
  const ingestSeconds = (performance.now() - ingestStarted) / 1_000;
  await ingester.close();

  const bareRate = events.length / bareSeconds;
  const ingestRate = events.length / ingestSeconds;
  print('bare unnest insert (rows/s)', bareRate.toFixed(0));
  print('ingestion stream -> Postgres, with summaries (rows/s)', ingestRate.toFixed(0));
  print('ingestion / bare insert (target >= 0.5)', (ingestRate / bareRate).toFixed(2));
  print(
    'load average after (1, 5, 15 min)',
    loadavg()
      .map((load) => load.toFixed(2))
      .join(', '),
  );
} finally {
  for (let partition = 0; partition < settings.partitions; partition += 1)
    await redis.del(usageStreamKey(namespace, partition));
  redis.disconnect();
  await databases.drop();
}
