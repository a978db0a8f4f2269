import { describe, expect, it } from 'vitest';
import { createBufferedWriter, type WriterLogger } from './buffered-writer.js';

function createRecordingLogger() {
  const lines: Array<{ level: string; message: string; object: Record<string, unknown> }> = [];
  const logger: WriterLogger = {
    warn: (object, message) => lines.push({ level: 'warn', message, object }),
    error: (object, message) => lines.push({ level: 'error', message, object }),
  };
  return { logger, lines };
}

type WriterOptions = Parameters<typeof createBufferedWriter<number>>[0];

/**
 * A writer of numbers that records what it wrote, with no timed flush (tests flush by rows, close or hand);
 * `options` override the defaults, e.g. a failing `insert`.
 */
function createTestWriter(options: Partial<WriterOptions> = {}) {
  const written: number[] = [];
  const { logger, lines } = createRecordingLogger();
  const writer = createBufferedWriter<number>({
    name: 'test',
    insert: (rows) => {
      written.push(...rows);
      return Promise.resolve();
    },
    flushIntervalMs: 60_000,
    flushRows: 1_000,
    maxRows: 1_000,
    logger,
    ...options,
  });
  return { writer, written, lines };
}

describe('createBufferedWriter', () => {
  it('writes a batch as soon as flushRows rows wait', async () => {
    const batches: number[][] = [];
    let resolveWritten!: () => void;
    const written = new Promise<void>((resolve) => (resolveWritten = resolve));
    const { writer } = createTestWriter({
      insert: (rows) => {
        batches.push(rows);
        resolveWritten();
        return Promise.resolve();
      },
      flushRows: 3,
      maxRows: 100,
    });
    writer.add(1);
    writer.add(2);
    expect(batches).toEqual([]);
    writer.add(3);
    await written;
    expect(batches).toEqual([[1, 2, 3]]);
    await writer.close();
  });

  it('keeps rows through failed inserts and writes them in order once the store is back', async () => {
    const written: number[] = [];
    let failuresLeft = 3;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const { writer, lines } = createTestWriter({
      insert: (rows) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          return Promise.reject(new Error('connection refused'));
        }
        written.push(...rows);
        if (written.length === 5) resolveDone();
        return Promise.resolve();
      },
      flushRows: 5,
      maxRows: 100,
      initialBackoffMs: 10,
    });
    for (const row of [1, 2, 3, 4, 5]) writer.add(row);
    await done;
    // The write that just succeeded is still finishing its bookkeeping; join it.
    await writer.flush();
    expect(written).toEqual([1, 2, 3, 4, 5]);
    expect(writer.stats()).toMatchObject({ written: 5, dropped: 0, failedFlushes: 3, buffered: 0 });
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(3);
    await writer.close();
  });

  it('drops the oldest rows beyond maxRows, counts them and says so in the log', async () => {
    const dropped: number[] = [];
    const { writer, written, lines } = createTestWriter({
      maxRows: 3,
      onDropped: (count) => dropped.push(count),
    });
    for (const row of [1, 2, 3, 4, 5]) writer.add(row);
    expect(writer.stats()).toMatchObject({ buffered: 3, dropped: 2 });
    expect(dropped).toEqual([1, 1]);
    await writer.flush();
    expect(written).toEqual([3, 4, 5]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'buffer full; oldest rows dropped' }),
    );
    await writer.close();
  });

  it('still writes after flushing an empty buffer', async () => {
    const { writer, written } = createTestWriter();
    await writer.flush();
    writer.add(1);
    await writer.flush();
    expect(written).toEqual([1]);
    await writer.close();
  });

  it('flushes what is buffered on close', async () => {
    const { writer, written } = createTestWriter();
    writer.add(7);
    writer.add(8);
    await writer.close();
    expect(written).toEqual([7, 8]);
  });
});
