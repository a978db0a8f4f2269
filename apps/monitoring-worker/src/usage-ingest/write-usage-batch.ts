import type { PlatformDb } from '@switchyard/db';
import { apiUsageLogs, usageDeadLetters, usageSummaries } from '@switchyard/db/platform';
import type { UsageEvent } from '@switchyard/jobs';
import { columnsOf, tableName } from '../schema-names.js';
import { summarizeUsage } from './summarize-usage.js';

/** A decoded stream entry: where it came from and its event. */
export interface UsageEntry {
  streamKey: string;
  streamId: string;
  event: UsageEvent;
}

/** A stream entry that will not be stored: why, and what it held. */
export interface DeadLetter {
  streamKey: string;
  streamId: string;
  requestId: string | null;
  attempt: number | null;
  rawEvent: string;
  error: string;
}

const logs = tableName(apiUsageLogs);
const log = columnsOf(apiUsageLogs, [
  'request_id',
  'attempt',
  'user_id',
  'api_key_id',
  'provider',
  'model',
  'endpoint',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'tokens_estimated',
  'cost',
  'price_estimated',
  'latency_ms',
  'status',
  'error_class',
  'fallback_from',
  'streaming',
  'created_at',
]);
const summaries = tableName(usageSummaries);
const summary = columnsOf(usageSummaries, [
  'user_id',
  'period',
  'request_count',
  'error_count',
  'fallback_count',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'total_tokens',
  'total_cost',
  'per_provider',
]);
const deadLetters = tableName(usageDeadLetters);
const dead = columnsOf(usageDeadLetters, [
  'stream_key',
  'stream_id',
  'request_id',
  'attempt',
  'raw_event',
  'error',
]);

// One statement for the whole batch; a redelivered event conflicts and returns nothing, so it is not summed.
const insertLogs = `insert into ${logs} (${Object.values(log).join(', ')})
  select * from unnest($1::text[], $2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
    $8::int[], $9::int[], $10::int[], $11::bool[], $12::numeric[], $13::bool[], $14::int[], $15::text[],
    $16::text[], $17::text[], $18::bool[], $19::timestamptz[])
  on conflict (${log.request_id}, ${log.attempt}) do nothing
  returning ${log.request_id} as "requestId", ${log.attempt} as "attempt"`;

const added = (column: string) => `${column} = ${summaries}.${column} + excluded.${column}`;
// Each provider's counters are added key by key; providers new to the month are copied in.
const mergedProviders = `${summaries}.${summary.per_provider} || (
    select coalesce(jsonb_object_agg(incoming.key, (
      select jsonb_object_agg(counter.key,
        coalesce((${summaries}.${summary.per_provider} -> incoming.key ->> counter.key)::numeric, 0)
          + (counter.value #>> '{}')::numeric)
      from jsonb_each(incoming.value) as counter
    )), '{}'::jsonb)
    from jsonb_each(excluded.${summary.per_provider}) as incoming
  )`;
const upsertSummaries = `insert into ${summaries} (${Object.values(summary).join(', ')})
  select * from unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[], $6::bigint[], $7::bigint[],
    $8::bigint[], $9::bigint[], $10::numeric[], $11::jsonb[])
  on conflict (${summary.user_id}, ${summary.period}) do update set
    ${[
      summary.request_count,
      summary.error_count,
      summary.fallback_count,
      summary.prompt_tokens,
      summary.completion_tokens,
      summary.cached_tokens,
      summary.total_tokens,
      summary.total_cost,
    ]
      .map(added)
      .join(',\n    ')},
    ${summary.per_provider} = ${mergedProviders}`;

// A redelivered dead entry keeps its first row (and its first-seen time).
const insertDeadLetters = `insert into ${deadLetters} (${Object.values(dead).join(', ')})
  select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
  on conflict (${dead.stream_key}, ${dead.stream_id}) do nothing`;

/** Identity of an event: `(request_id, attempt)`, the unique key of `api_usage_logs`. */
function eventKey(requestId: string, attempt: number): string {
  return `${attempt}/${requestId}`;
}

/**
 * Writes usage entries to the platform database: the log rows and the summaries they add to, in one transaction.
 */
export function createUsageBatchWriter(platform: PlatformDb) {
  /**
   * Inserts the entries' rows (existing `(request_id, attempt)` pairs are skipped) and adds exactly the inserted
   * rows to `usage_summaries`, in one transaction. Returns how many rows were new. Throws what Postgres threw;
   * then nothing of the batch is written.
   */
  async function write(entries: readonly UsageEntry[]): Promise<number> {
    // Sorted by key so that two consumers writing overlapping batches take the index locks in one order.
    const events = entries
      .map((entry) => entry.event)
      .sort((a, b) =>
        a.requestId === b.requestId ? a.attempt - b.attempt : a.requestId < b.requestId ? -1 : 1,
      );
    const client = await platform.pool.connect();
    let failure: Error | undefined;
    try {
      await client.query('begin');
      const inserted = await client.query<{ requestId: string; attempt: number }>(insertLogs, [
        events.map((event) => event.requestId),
        events.map((event) => event.attempt),
        events.map((event) => event.userId),
        events.map((event) => event.apiKeyId),
        events.map((event) => event.provider),
        events.map((event) => event.model),
        events.map((event) => event.endpoint),
        events.map((event) => event.promptTokens),
        events.map((event) => event.completionTokens),
        events.map((event) => event.cachedTokens),
        events.map((event) => event.tokensEstimated),
        events.map((event) => event.costUsd),
        events.map((event) => event.priceEstimated),
        events.map((event) => event.latencyMs),
        events.map((event) => event.status),
        events.map((event) => event.errorKind),
        events.map((event) => event.fallbackFrom),
        events.map((event) => event.streaming),
        events.map((event) => new Date(event.occurredAt)),
      ]);
      const insertedKeys = new Set(inserted.rows.map((row) => eventKey(row.requestId, row.attempt)));
      // Each inserted key counts once, even if the batch carried the same event twice.
      const counted = events.filter((event) => insertedKeys.delete(eventKey(event.requestId, event.attempt)));
      const deltas = summarizeUsage(counted);
      if (deltas.length > 0) {
        await client.query(upsertSummaries, [
          deltas.map((delta) => delta.userId),
          deltas.map((delta) => delta.period),
          deltas.map((delta) => delta.requests),
          deltas.map((delta) => delta.errors),
          deltas.map((delta) => delta.fallbacks),
          deltas.map((delta) => delta.promptTokens),
          deltas.map((delta) => delta.completionTokens),
          deltas.map((delta) => delta.cachedTokens),
          deltas.map((delta) => delta.promptTokens + delta.completionTokens),
          deltas.map((delta) => delta.cost),
          deltas.map((delta) => JSON.stringify(delta.perProvider)),
        ]);
      }
      await client.query('commit');
      return counted.length;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed mid-transaction is discarded rather than returned to the pool.
      client.release(failure);
    }
  }

  /** Records entries that will not be stored; an entry already recorded keeps its first row. */
  async function writeDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await platform.pool.query(insertDeadLetters, [
      letters.map((letter) => letter.streamKey),
      letters.map((letter) => letter.streamId),
      letters.map((letter) => letter.requestId),
      letters.map((letter) => letter.attempt),
      letters.map((letter) => letter.rawEvent),
      letters.map((letter) => letter.error),
    ]);
  }

  return { write, writeDeadLetters };
}

/** The platform-database side of ingestion. */
export type UsageBatchWriter = ReturnType<typeof createUsageBatchWriter>;
