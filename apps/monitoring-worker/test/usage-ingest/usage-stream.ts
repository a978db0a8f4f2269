import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig, usageStreamConfigSchema } from '@switchyard/config';
import type { PlatformDb } from '@switchyard/db';
import {
  createRedisConnection,
  encodeUsageEvent,
  usagePartition,
  usageStreamKey,
  type UsageEvent,
} from '@switchyard/jobs';
import type { Redis } from 'ioredis';
import { redisUrl } from '../helper.js';

/** A unique stream namespace for one test file (the prefix the worker derives from REDIS_KEY_PREFIX). */
export function uniqueNamespace(): string {
  return `sy-usage-test-${randomUUID().slice(0, 8)}`;
}

/** Usage stream settings for tests: short blocks and claim idle time so takeovers happen within a test. */
export function usageSettings(env: Record<string, string> = {}) {
  return parseConfig(
    { usageStream: usageStreamConfigSchema },
    { USAGE_INGEST_BLOCK_MS: '200', USAGE_INGEST_CLAIM_IDLE_MS: '1000', ...env },
  ).usageStream;
}

/** One provider attempt of a scripted request. */
export interface ScriptedAttempt {
  provider: string;
  model?: string;
  status: 'success' | 'error';
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  costUsd?: number;
}

/**
 * The usage events of one request, as the gateway produces them: attempts numbered from 1, each after the first a
 * fallback from the one before, the last one `final`.
 */
export function requestEvents(userId: string | null, attempts: ScriptedAttempt[], occurredAt = Date.now()) {
  const requestId = `req-${randomUUID()}`;
  return attempts.map((attempt, index): UsageEvent => ({
    requestId,
    attempt: index + 1,
    userId,
    apiKeyId: userId === null ? null : randomUUID(),
    provider: attempt.provider,
    model: attempt.model ?? `${attempt.provider}-model`,
    endpoint: 'chat.completions',
    promptTokens: attempt.promptTokens ?? 0,
    completionTokens: attempt.completionTokens ?? 0,
    cachedTokens: attempt.cachedTokens ?? 0,
    tokensEstimated: false,
    costUsd: attempt.costUsd ?? 0,
    priceEstimated: false,
    latencyMs: 120,
    status: attempt.status,
    errorKind: attempt.status === 'error' ? 'rate_limit' : null,
    fallbackFrom: index === 0 ? null : attempts[index - 1]!.provider,
    streaming: false,
    final: index === attempts.length - 1,
    occurredAt,
  }));
}

/** A Redis connection for appending to the streams in a test. */
export function streamConnection(): Redis {
  return createRedisConnection(redisUrl, { role: 'worker', connectionName: 'usage-ingest-test' });
}

/** Appends events with XADD through the contract's encoder, each to its user's partition. */
export async function appendEvents(
  redis: Redis,
  namespace: string,
  partitions: number,
  events: readonly UsageEvent[],
): Promise<void> {
  const pipeline = redis.pipeline();
  for (const event of events)
    pipeline.xadd(
      usageStreamKey(namespace, usagePartition(event.userId, partitions)),
      '*',
      ...encodeUsageEvent(event),
    );
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error !== null)?.[0];
  if (failed) throw failed;
}

/** Rows in `api_usage_logs`. */
export async function usageRowCount(platform: PlatformDb): Promise<number> {
  const result = await platform.pool.query<{ count: number }>(
    'select count(*)::int as count from api_usage_logs',
  );
  return result.rows[0]!.count;
}

/** Polls `check` until it returns true (an ingester commits asynchronously); fails after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** The monthly summary row of a user, numbers as numbers. */
export async function summaryOf(platform: PlatformDb, userId: string) {
  const result = await platform.pool.query<{
    requestCount: number;
    errorCount: number;
    fallbackCount: number;
    promptTokens: string;
    completionTokens: string;
    cachedTokens: string;
    totalTokens: string;
    totalCost: string;
    perProvider: Record<string, { requests: number; tokens: number; cost: number; errors: number }>;
  }>(
    `select request_count as "requestCount", error_count as "errorCount", fallback_count as "fallbackCount",
      prompt_tokens as "promptTokens", completion_tokens as "completionTokens", cached_tokens as "cachedTokens",
      total_tokens as "totalTokens", total_cost as "totalCost", per_provider as "perProvider"
     from usage_summaries where user_id = $1`,
    [userId],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return {
    requests: row.requestCount,
    errors: row.errorCount,
    fallbacks: row.fallbackCount,
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    cachedTokens: Number(row.cachedTokens),
    totalTokens: Number(row.totalTokens),
    cost: Number(row.totalCost),
    perProvider: row.perProvider,
  };
}
