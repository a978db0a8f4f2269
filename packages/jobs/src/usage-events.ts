import { z } from 'zod';

/**
 * The usage stream contract. Every provider attempt (answered, failed, or a cancelled hedge that read the prompt)
 * becomes one usage event, appended to a Redis stream before the caller's answer completes; the worker's consumer
 * group writes the events to `api_usage_logs` and `usage_summaries` and acknowledges them after commit.
 * `(requestId, attempt)` identifies an event, so a redelivered event is never counted twice.
 */
export const usageEventSchema = z.object({
  requestId: z.string().min(1).max(128),
  /** 1-based attempt number within the request. */
  attempt: z.number().int().positive(),
  /** Null only for calls made with the bootstrap admin key. */
  userId: z.string().uuid().nullable(),
  apiKeyId: z.string().uuid().nullable(),
  provider: z.string().min(1),
  model: z.string().min(1),
  /** `chat.completions`, `responses`, `embeddings`, `native-chat`, `monitoring`, ... */
  endpoint: z.string().min(1),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative(),
  /** The token counts are a tokenizer's estimate, not the provider's usage. */
  tokensEstimated: z.boolean(),
  costUsd: z.number().nonnegative(),
  /** The model had no price; it was priced at its provider's most expensive known price. */
  priceEstimated: z.boolean(),
  latencyMs: z.number().int().nonnegative().nullable(),
  status: z.enum(['success', 'error']),
  /** The error kind of a failed attempt (`rate_limit`, `timeout`, ...); null on success. */
  errorKind: z.string().nullable(),
  /** The provider that failed before this attempt, when this attempt is a fallback. */
  fallbackFrom: z.string().nullable(),
  streaming: z.boolean(),
  /** The attempt that ended the request (its answer or its final error): it counts as one request. */
  final: z.boolean(),
  /** Epoch milliseconds at which the attempt ended. */
  occurredAt: z.number().int().nonnegative(),
});

/** One usage event. */
export type UsageEvent = z.infer<typeof usageEventSchema>;

/** The single field of a stream entry that carries the event as JSON. */
export const usageEventField = 'event';

/** Consumer group of the usage ingesters. */
export const usageConsumerGroup = 'usage-ingest';

/** FNV-1a: a stable hash, the same in every process and language version. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Which of `partitions` streams carries a user's events (admin-key events, with no user, go to partition 0). */
export function usagePartition(userId: string | null, partitions: number): number {
  return userId === null ? 0 : fnv1a(userId) % partitions;
}

/**
 * Key of one usage stream partition. Each partition has its own hash tag, so a Redis Cluster spreads the
 * partitions over its shards; `namespace` keeps tests and deployments apart (e.g. `switchyard`).
 */
export function usageStreamKey(namespace: string, partition: number): string {
  return `${namespace}:usage:{p${partition}}`;
}

/** Every partition's key, for the consumer that reads them all. */
export function usageStreamKeys(namespace: string, partitions: number): string[] {
  return Array.from({ length: partitions }, (_, partition) => usageStreamKey(namespace, partition));
}

/** The stream entry's field/value list of an event (for `XADD key * ...fields`). */
export function encodeUsageEvent(event: UsageEvent): [string, string] {
  return [usageEventField, JSON.stringify(event)];
}

/** Parses a stream entry's field/value list; a malformed entry throws with what is wrong. */
export function decodeUsageEvent(fields: string[]): UsageEvent {
  const index = fields.indexOf(usageEventField);
  if (index < 0 || index % 2 !== 0 || fields[index + 1] === undefined)
    throw new Error(`usage stream entry has no "${usageEventField}" field`);
  return usageEventSchema.parse(JSON.parse(fields[index + 1] as string));
}
