import { z } from 'zod';
import { integer } from './shared.js';

/**
 * The usage stream: how many partitions the gateway spreads usage events over (a hash of the user id picks one)
 * and how the worker's ingester reads them. Producer and consumer must agree on `partitions`.
 */
export const usageStreamConfigSchema = z
  .object({
    USAGE_STREAM_PARTITIONS: integer({ default: 4, min: 1, max: 1_024 }),
    USAGE_INGEST_BATCH_SIZE: integer({ default: 2_000, min: 1, max: 10_000 }),
    USAGE_INGEST_BLOCK_MS: integer({ default: 2_000, min: 10, max: 60_000 }),
    USAGE_INGEST_CLAIM_IDLE_MS: integer({ default: 60_000, min: 100 }),
  })
  .transform((env) => ({
    partitions: env.USAGE_STREAM_PARTITIONS,
    /**
     * Most events per transaction (one insert of the rows, one upsert of the monthly summaries); a read returns what
     * is there, so batches are only this large under load. 2,000 because the fixed cost per transaction dominates
     * below it: `pnpm bench:usage` measured 0.37x a bare insert at 500 and 0.56x at 2,000.
     */
    batchSize: env.USAGE_INGEST_BATCH_SIZE,
    /** How long one read waits for new events; also bounds how long shutdown waits for a blocked read. */
    blockMs: env.USAGE_INGEST_BLOCK_MS,
    /**
     * An entry another consumer read but has not acknowledged for this long is taken over (its consumer died).
     * Keep it well above the time a batch can take, or a slow consumer's batch is written twice (harmlessly:
     * `(request_id, attempt)` is unique, so the second write inserts and counts nothing).
     */
    claimIdleMs: env.USAGE_INGEST_CLAIM_IDLE_MS,
  }));

export type UsageStreamConfig = z.output<typeof usageStreamConfigSchema>;
