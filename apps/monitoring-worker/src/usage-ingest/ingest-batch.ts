import { isRowRejection, rejectionText } from './postgres-rejection.js';
import type { DeadLetter, UsageBatchWriter, UsageEntry } from './write-usage-batch.js';

/** What one batch came to. */
export interface IngestOutcome {
  /** Rows new to `api_usage_logs` (redelivered events are not). */
  inserted: number;
  /** Entries Postgres rejected, now in `usage_dead_letters`. */
  deadLettered: DeadLetter[];
}

/** Text stores no NUL character; a dead letter writes it visibly instead, so recording it cannot fail too. */
export function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\\u0000');
}

/** The dead letter of an event Postgres rejected. */
export function rejectedLetter(entry: UsageEntry, error: unknown): DeadLetter {
  return {
    streamKey: entry.streamKey,
    streamId: entry.streamId,
    requestId: withoutNul(entry.event.requestId),
    attempt: entry.event.attempt,
    rawEvent: withoutNul(JSON.stringify(entry.event)),
    error: withoutNul(rejectionText(error)),
  };
}

/**
 * Writes a batch in one transaction. When Postgres rejects it for its data, the batch is split in halves and each
 * half written on its own, down to the single entries it rejects, which are dead-lettered; the rest lands. A
 * failure that is not a rejection (Postgres unreachable, a deadlock) is thrown: the caller retries the whole batch
 * and acknowledges nothing meanwhile. Halves already committed are safe to write again: their rows conflict and
 * count nothing.
 */
export async function ingestBatch(
  entries: readonly UsageEntry[],
  writer: UsageBatchWriter,
): Promise<IngestOutcome> {
  const deadLettered: DeadLetter[] = [];
  let inserted = 0;

  async function attempt(part: readonly UsageEntry[]): Promise<void> {
    if (part.length === 0) return;
    try {
      inserted += await writer.write(part);
    } catch (error) {
      if (!isRowRejection(error)) throw error;
      if (part.length === 1) {
        deadLettered.push(rejectedLetter(part[0]!, error));
        return;
      }
      const middle = Math.ceil(part.length / 2);
      await attempt(part.slice(0, middle));
      await attempt(part.slice(middle));
    }
  }

  await attempt(entries);
  await writer.writeDeadLetters(deadLettered);
  return { inserted, deadLettered };
}
