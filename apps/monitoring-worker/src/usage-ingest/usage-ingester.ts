import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UsageStreamConfig } from '@switchyard/config';
import type { PlatformDb } from '@switchyard/db';
import {
  createRedisConnection,
  decodeUsageEvent,
  usageConsumerGroup,
  usageEventField,
  usageStreamKeys,
} from '@switchyard/jobs';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ingestBatch, withoutNul, type IngestOutcome } from './ingest-batch.js';
import { usagePeriod } from './summarize-usage.js';
import { createUsageBatchWriter, type DeadLetter, type UsageEntry } from './write-usage-batch.js';

/** What the ingester needs. */
export interface UsageIngesterOptions {
  redisUrl: string;
  /** Namespace of the stream keys (`usageStreamKeys(namespace, partitions)`). */
  namespace: string;
  settings: UsageStreamConfig;
  platform: PlatformDb;
  logger: Logger;
  /** Name of this consumer in the group; default host, pid and a random part, unique per process. */
  consumerName?: string;
  /** Called after each committed and acknowledged batch (metrics, tests). */
  onBatch?: (outcome: IngestOutcome & { malformed: number; entries: number }) => void;
}

/** A stream entry as Redis returns it: id and field/value list. */
type RawEntry = [id: string, fields: string[]];

/** Raised inside the loop when shutdown interrupts a retry; the batch stays pending for another consumer. */
class StoppedError extends Error {}

/** `base * 2^failures`, capped, with +-20 % jitter so many consumers do not retry in step. */
function backoffMs(failures: number): number {
  const capped = Math.min(100 * 2 ** Math.min(failures, 10), 5_000);
  return Math.round(capped * (0.8 + Math.random() * 0.4));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Decodes a raw entry, or says why it is malformed (a dead letter). */
function decodeEntry(streamKey: string, [streamId, fields]: RawEntry): UsageEntry | DeadLetter {
  try {
    const event = decodeUsageEvent(fields);
    if (usagePeriod(event.occurredAt) === null) throw new Error('occurredAt is not a representable time');
    return { streamKey, streamId, event };
  } catch (error) {
    const index = fields.indexOf(usageEventField);
    const raw = index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
    return {
      streamKey,
      streamId,
      requestId: null,
      attempt: null,
      rawEvent: withoutNul(raw ?? JSON.stringify(fields)),
      error: withoutNul(`malformed entry: ${errorMessage(error)}`).slice(0, 500),
    };
  }
}

/**
 * The usage stream consumer: reads every partition in the `usage-ingest` consumer group on its own blocking
 * connection, writes each batch (log rows + monthly summaries, one transaction), and acknowledges and deletes
 * the entries only after the commit. While Postgres fails it retries the same batch with backoff and acknowledges
 * nothing, so a crash at any point leaves the entries pending; another consumer (or this one, restarted) claims
 * them with XAUTOCLAIM after `claimIdleMs`, and their rows conflict on `(request_id, attempt)` if they had landed.
 */
export function createUsageIngester(options: UsageIngesterOptions) {
  const { settings, logger } = options;
  const keys = usageStreamKeys(options.namespace, settings.partitions);
  const consumer = options.consumerName ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const writer = createUsageBatchWriter(options.platform);
  const redis = createRedisConnection(options.redisUrl, {
    role: 'worker',
    connectionName: 'monitoring-worker:usage-ingest',
  });
  redis.on('error', (error) => logger.warn({ error: error.message }, 'usage ingest redis connection error'));
  // Readings for metrics use their own connection: the ingester's waits in a blocking read most of the time.
  let metricsConnection: Redis | undefined;
  const stopping = new AbortController();
  let starting: Promise<void> | undefined;
  let loop: Promise<void> | undefined;
  let nextClaimAt = 0;

  /** Creates the group on every partition, from the stream's start, so events appended before it are ingested. */
  async function ensureGroups(): Promise<void> {
    for (const key of keys) {
      try {
        await redis.xgroup('CREATE', key, usageConsumerGroup, '0', 'MKSTREAM');
      } catch (error) {
        if (!errorMessage(error).startsWith('BUSYGROUP')) throw error;
      }
    }
  }

  /**
   * Removes consumers of dead processes from the group once they hold nothing (a new name per process would
   * otherwise pile up with every restart). A consumer still alive is recreated by its next read.
   */
  async function forgetDeadConsumers(key: string): Promise<void> {
    const forgetAfterMs = Math.max(settings.claimIdleMs * 10, 3_600_000);
    const consumers = (await redis.xinfo('CONSUMERS', key, usageConsumerGroup)) as (string | number)[][];
    for (const fields of consumers) {
      const info = new Map<string, string | number>();
      for (let index = 0; index + 1 < fields.length; index += 2)
        info.set(String(fields[index]), fields[index + 1]!);
      const name = String(info.get('name'));
      if (name !== consumer && Number(info.get('pending')) === 0 && Number(info.get('idle')) > forgetAfterMs)
        await redis.xgroup('DELCONSUMER', key, usageConsumerGroup, name);
    }
  }

  /** Entries other consumers read but left unacknowledged for `claimIdleMs` (they died), now this one's. */
  async function claimAbandoned(): Promise<Map<string, RawEntry[]>> {
    const claimed = new Map<string, RawEntry[]>();
    for (const key of keys) {
      const [, entries] = (await redis.xautoclaim(
        key,
        usageConsumerGroup,
        consumer,
        settings.claimIdleMs,
        '0-0',
        'COUNT',
        settings.batchSize,
      )) as [string, (RawEntry | null)[]];
      // An entry deleted while pending comes back as null (Redis 6.2); Redis 7 drops it from the pending list.
      const live = entries.filter((entry): entry is RawEntry => entry !== null);
      if (live.length > 0) claimed.set(key, live);
      else await forgetDeadConsumers(key);
    }
    return claimed;
  }

  async function readNew(): Promise<Map<string, RawEntry[]>> {
    const result = (await redis.xreadgroup(
      'GROUP',
      usageConsumerGroup,
      consumer,
      'COUNT',
      settings.batchSize,
      'BLOCK',
      settings.blockMs,
      'STREAMS',
      ...keys,
      ...keys.map(() => '>'),
    )) as [string, RawEntry[]][] | null;
    return new Map(result ?? []);
  }

  /** Retries `operation` with backoff until it succeeds; shutdown ends the retries with `StoppedError`. */
  async function untilDone<T>(what: string, operation: () => Promise<T>): Promise<T> {
    for (let failures = 0; ; failures += 1) {
      if (stopping.signal.aborted && failures > 0) throw new StoppedError(what);
      try {
        return await operation();
      } catch (error) {
        const delay = backoffMs(failures);
        logger.warn(
          { error: errorMessage(error), retryInMs: delay, failures: failures + 1 },
          `${what} failed`,
        );
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** Writes, dead-letters and then acknowledges one read's entries. */
  async function handle(read: Map<string, RawEntry[]>): Promise<void> {
    const entries: UsageEntry[] = [];
    const malformed: DeadLetter[] = [];
    for (const [key, rawEntries] of read) {
      for (const raw of rawEntries) {
        const decoded = decodeEntry(key, raw);
        if ('event' in decoded) entries.push(decoded);
        else malformed.push(decoded);
      }
    }
    for (let start = 0; start < Math.max(entries.length, 1); start += settings.batchSize) {
      const chunk = entries.slice(start, start + settings.batchSize);
      const outcome = await untilDone('usage batch write', () => ingestBatch(chunk, writer));
      if (start === 0) await untilDone('usage dead-letter write', () => writer.writeDeadLetters(malformed));
      await acknowledge([...chunk, ...(start === 0 ? malformed : [])]);
      options.onBatch?.({
        ...outcome,
        deadLettered: [...outcome.deadLettered, ...(start === 0 ? malformed : [])],
        malformed: start === 0 ? malformed.length : 0,
        entries: chunk.length + (start === 0 ? malformed.length : 0),
      });
      if (outcome.deadLettered.length > 0)
        logger.error(
          {
            entries: outcome.deadLettered.map(({ streamId, requestId, error }) => ({
              streamId,
              requestId,
              error,
            })),
          },
          'usage events rejected by Postgres were dead-lettered',
        );
    }
    if (malformed.length > 0)
      logger.error(
        { entries: malformed.map(({ streamId, error }) => ({ streamId, error })) },
        'malformed usage stream entries were dead-lettered',
      );
  }

  /**
   * Acknowledges entries after their commit and deletes them, so the streams hold only what is not yet in
   * Postgres. One MULTI per partition: an acknowledged entry is never left behind undeleted.
   */
  async function acknowledge(done: readonly { streamKey: string; streamId: string }[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const { streamKey, streamId } of done) {
      const ids = byKey.get(streamKey);
      if (ids === undefined) byKey.set(streamKey, [streamId]);
      else ids.push(streamId);
    }
    // Per partition, because a MULTI must stay within one hash slot on a Redis Cluster.
    await untilDone('usage acknowledgement', async () => {
      const results = await Promise.all(
        [...byKey].map(([key, ids]) =>
          redis
            .multi()
            .xack(key, usageConsumerGroup, ...ids)
            .xdel(key, ...ids)
            .exec(),
        ),
      );
      const failed = results.flatMap((result) => result ?? []).find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
    });
  }

  async function run(): Promise<void> {
    for (let failures = 0; !stopping.signal.aborted;) {
      try {
        let read = new Map<string, RawEntry[]>();
        if (Date.now() >= nextClaimAt) {
          read = await claimAbandoned();
          // Keep claiming while there is a backlog of abandoned entries; otherwise look again later.
          if (read.size === 0) nextClaimAt = Date.now() + Math.max(settings.claimIdleMs / 2, 100);
        }
        if (read.size === 0) read = await readNew();
        if (read.size > 0) await handle(read);
        failures = 0;
      } catch (error) {
        if (error instanceof StoppedError) break;
        // The stream (and its group) was deleted under us: recreate it, then read again after the backoff.
        if (errorMessage(error).startsWith('NOGROUP')) await ensureGroups().catch(() => undefined);
        const delay = backoffMs(failures);
        failures += 1;
        logger.warn({ error: errorMessage(error), retryInMs: delay }, 'usage stream read failed');
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  return {
    /** This consumer's name in the group. */
    consumer,
    /** The partitions' stream keys. */
    keys,
    /** Events in the streams not yet stored (entries are deleted once stored), over every partition. */
    async backlog(): Promise<number> {
      const connection = metricsConnection;
      if (connection === undefined) throw new Error('the usage ingester is not started');
      const lengths = await Promise.all(keys.map((key) => connection.xlen(key)));
      return lengths.reduce((total, length) => total + length, 0);
    },
    /** Creates the consumer group where missing and starts consuming in the background. */
    start(): Promise<void> {
      // A shutdown that lands while the groups are being created ends the start quietly instead of failing it.
      starting ??= (async () => {
        try {
          await ensureGroups();
        } catch (error) {
          if (stopping.signal.aborted) return;
          throw error;
        }
        if (stopping.signal.aborted) return;
        // Fails fast (producer role): a scrape while Redis is away fails instead of hanging.
        metricsConnection = createRedisConnection(options.redisUrl, {
          role: 'producer',
          connectionName: 'monitoring-worker:usage-ingest-metrics',
        });
        // A failed reading fails the scrape; the connection's own errors need a listener, not a log line each.
        metricsConnection.on('error', () => undefined);
        loop = run();
      })();
      return starting;
    },
    /**
     * Stops: the current read returns within `blockMs`, a batch in hand is written and acknowledged if Postgres
     * answers (its retries end at once otherwise, leaving it pending for another consumer), then the connection
     * closes. After `deadlineMs` the connection is dropped regardless: unacknowledged entries stay pending.
     */
    async close(deadlineMs = settings.blockMs + 10_000): Promise<void> {
      stopping.abort();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      const stopped = (async () => {
        await starting?.catch(() => undefined);
        await loop;
      })();
      await Promise.race([stopped, deadline]);
      clearTimeout(timer);
      redis.disconnect();
      metricsConnection?.disconnect();
      await loop?.catch(() => undefined);
    },
  };
}

/** A usage stream consumer. */
export type UsageIngester = ReturnType<typeof createUsageIngester>;
