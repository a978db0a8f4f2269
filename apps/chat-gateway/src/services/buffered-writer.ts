import { EventEmitter } from 'node:events';

/** Minimal logger the writer reports through (pino-compatible). */
export interface WriterLogger {
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** Options of `createBufferedWriter`. */
export interface BufferedWriterOptions<Row> {
  /** Name in logs and metrics, e.g. `system_performance_metrics`. */
  name: string;
  /** Writes a batch; a rejection keeps the rows for a later retry. */
  insert: (rows: Row[]) => Promise<void>;
  flushIntervalMs: number;
  /** Flush as soon as this many rows wait. */
  flushRows: number;
  /** Hard cap on buffered rows; beyond it the oldest rows are dropped and counted. */
  maxRows: number;
  logger: WriterLogger;
  /** First retry delay after a failed insert; doubles up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called with the number of rows dropped by overflow, for a Prometheus counter. */
  onDropped?: (count: number) => void;
}

/** Counters of a buffered writer. */
export interface BufferedWriterStats {
  buffered: number;
  written: number;
  dropped: number;
  failedFlushes: number;
}

/**
 * Buffers rows off the hot path and bulk-inserts them every `flushIntervalMs` or `flushRows` rows.
 * A failed insert keeps its rows and is retried with exponential backoff; the buffer is bounded and
 * overflow is counted and logged, never silent. Hand-written because no kept library batches with these semantics.
 */
export function createBufferedWriter<Row>(options: BufferedWriterOptions<Row>) {
  const initialBackoffMs = options.initialBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let buffer: Row[] = [];
  let inFlight: Promise<void> | undefined;
  let backoffMs = 0;
  let retryAt = 0;
  let closed = false;
  let droppedSinceLog = 0;
  const stats: BufferedWriterStats = { buffered: 0, written: 0, dropped: 0, failedFlushes: 0 };
  const events = new EventEmitter<{ written: [count: number]; failed: [buffered: number] }>();

  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  function dropOverflow(): void {
    const excess = buffer.length - options.maxRows;
    if (excess <= 0) return;
    buffer.splice(0, excess);
    stats.dropped += excess;
    droppedSinceLog += excess;
    options.onDropped?.(excess);
  }

  function add(row: Row): void {
    buffer.push(row);
    dropOverflow();
    stats.buffered = buffer.length;
    if (buffer.length >= options.flushRows && Date.now() >= retryAt) void flush();
  }

  async function writeOnce(): Promise<void> {
    if (buffer.length === 0) return;
    const batch = buffer.slice(0, Math.max(options.flushRows, 1));
    buffer = buffer.slice(batch.length);
    try {
      await options.insert(batch);
      stats.written += batch.length;
      events.emit('written', batch.length);
      backoffMs = 0;
      retryAt = 0;
    } catch (error) {
      // Put the batch back in front so order is kept, then cut to the cap (oldest rows go first).
      buffer = batch.concat(buffer);
      dropOverflow();
      stats.failedFlushes += 1;
      events.emit('failed', buffer.length);
      backoffMs = backoffMs === 0 ? initialBackoffMs : Math.min(backoffMs * 2, maxBackoffMs);
      retryAt = Date.now() + backoffMs;
      options.logger.warn(
        {
          writer: options.name,
          buffered: buffer.length,
          retryInMs: backoffMs,
          reason: error instanceof Error ? error.message : String(error),
        },
        'buffered insert failed; rows kept for retry',
      );
      const retry = setTimeout(() => void flush(), backoffMs);
      retry.unref();
      throw error;
    } finally {
      stats.buffered = buffer.length;
      if (droppedSinceLog > 0) {
        options.logger.error(
          { writer: options.name, dropped: droppedSinceLog, droppedTotal: stats.dropped },
          'buffer full; oldest rows dropped',
        );
        droppedSinceLog = 0;
      }
    }
  }

  /** Writes everything buffered (in batches of `flushRows`); stops at the first failure, which schedules a retry. */
  function flush(): Promise<void> {
    if (inFlight) return inFlight;
    // Timers may fire a hair early by the wall clock, hence the small tolerance.
    if (!closed && Date.now() < retryAt - 5) return Promise.resolve();
    const drain = async () => {
      try {
        while (buffer.length > 0) await writeOnce();
      } catch {
        // Already logged and rescheduled by writeOnce.
      }
    };
    // Cleared in a later tick: an empty drain settles synchronously and must not leave a stale promise behind.
    inFlight = drain().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  /**
   * Stops the timer and flushes, retrying failed inserts until `deadlineMs` passes;
   * rows still unwritten are logged as lost.
   */
  async function close(deadlineMs = 5_000): Promise<void> {
    closed = true;
    clearInterval(timer);
    const giveUpAt = Date.now() + deadlineMs;
    while (buffer.length > 0 || inFlight) {
      await flush();
      if (buffer.length === 0) break;
      const wait = Math.min(backoffMs || initialBackoffMs, giveUpAt - Date.now());
      if (wait <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (buffer.length > 0) {
      stats.dropped += buffer.length;
      options.logger.error(
        { writer: options.name, lost: buffer.length },
        'shutdown deadline passed; unwritten rows lost',
      );
      buffer = [];
      stats.buffered = 0;
    }
  }

  return { add, flush, close, events, stats: (): BufferedWriterStats => ({ ...stats }) };
}

/** A buffered writer, as the usage and metrics recorders hold it. */
export type BufferedWriter<Row> = ReturnType<typeof createBufferedWriter<Row>>;
