import { describe, expect, it } from 'vitest';
import { SseReader, type SseEvent } from './sse-reader.js';

/** A body that delivers `parts` as separate reads, so events and lines can be split anywhere. */
function body(parts: string[], failAtEnd?: Error): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[index];
      index += 1;
      if (part !== undefined) controller.enqueue(encoder.encode(part));
      else if (failAtEnd) controller.error(failAtEnd);
      else controller.close();
    },
  });
}

async function readAll(reader: SseReader): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of reader) events.push(event);
  return events;
}

describe('SseReader', () => {
  it('decodes events split across reads at any byte, with \\n and \\r\\n line ends', async () => {
    const wire = 'data: {"a":1}\n\nevent: message-end\r\ndata: {"b":2}\r\n\r\ndata: [DONE]\n\n';
    for (let cut = 1; cut < wire.length; cut += 1) {
      const events = await readAll(new SseReader(body([wire.slice(0, cut), wire.slice(cut)])));
      expect(events, `cut at ${cut}`).toEqual([
        { event: undefined, data: '{"a":1}' },
        { event: 'message-end', data: '{"b":2}' },
        { event: undefined, data: '[DONE]' },
      ]);
    }
  });

  it('joins multi-line data, skips comments and field-less blank events, keeps a value without a space', async () => {
    const events = await readAll(
      new SseReader(body([': keep-alive\n\n', 'data: one\ndata:two\n\n', 'id: 7\n\n'])),
    );
    expect(events).toEqual([{ event: undefined, data: 'one\ntwo' }]);
  });

  it('decodes multi-byte characters split between reads', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 8));
        controller.enqueue(bytes.slice(8, 15));
        controller.enqueue(bytes.slice(15));
        controller.close();
      },
    });
    expect(await readAll(new SseReader(stream))).toEqual([{ event: undefined, data: 'héllo ✓' }]);
  });

  it('drops an event the body ends in the middle of', async () => {
    expect(await readAll(new SseReader(body(['data: complete\n\n', 'data: cut off'])))).toEqual([
      { event: undefined, data: 'complete' },
    ]);
  });

  it('rejects with the body error after the events before it', async () => {
    const reader = new SseReader(body(['data: first\n\n'], new Error('socket reset')));
    await expect(reader.next()).resolves.toEqual({ done: false, value: { event: undefined, data: 'first' } });
    await expect(reader.next()).rejects.toThrow('socket reset');
  });

  it('cancels the body when the consumer leaves early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: a\n\ndata: b\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of new SseReader(stream)) {
      expect(event.data).toBe('a');
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('drains the rest of the body after the last event, so its end is read', async () => {
    let cancelled = false;
    const parts = ['data: [DONE]\n\n', 'data: ignored\n\n'];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const part = parts.shift();
        if (part === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(part));
      },
      cancel() {
        cancelled = true;
      },
    });
    const reader = new SseReader(stream);
    expect((await reader.next()).value).toEqual({ event: undefined, data: '[DONE]' });
    await reader.drain(1_000);
    expect(parts).toEqual([]);
    expect(await reader.next()).toEqual({ done: true, value: undefined });
    expect(cancelled).toBe(false);
  });

  it('stops draining a body that stays open, and the consumer then cancels it', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: [DONE]\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const reader = new SseReader(stream);
    await reader.next();
    const startedAt = Date.now();
    await reader.drain(50);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await reader.return();
    expect(cancelled).toBe(true);
  });
});
