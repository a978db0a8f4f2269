/** One server-sent event: its `event:` name (if any) and its `data:` lines joined by newlines. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

const lineFeed = 10;
const carriageReturn = 13;
const colon = 58;
const space = 32;

/** What the reader needs of a body: the next bytes, and a way to stop reading (which releases the connection). */
interface ByteReader {
  read(): Promise<IteratorResult<Uint8Array, unknown>>;
  cancel(): Promise<void>;
}

/** Shared by every reader: it only ever decodes whole lines, so it carries no state between calls. */
const utf8 = new TextDecoder();

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}

/**
 * Decodes a `text/event-stream` body into events with a hand-written async iterator: an event already decoded
 * costs one resolved promise, and bytes are read only when none is left. The SDKs stack three or four async
 * generators per event, which made SSE decoding the largest client-side cost of a streamed answer (see
 * `pnpm bench`). Leaving a `for await` early cancels the body, releasing its connection.
 *
 * Lines end in `\n` or `\r\n`, as every LLM API sends them; a lone `\r` is not read as a line end. An event the
 * body ends in the middle of is dropped, as the SSE specification says. `id:` and `retry:` are ignored: no LLM
 * stream is resumable.
 */
export class SseReader implements AsyncIterableIterator<SseEvent> {
  private readonly reader: ByteReader;
  /** Bytes after the last line feed read so far: a line (and maybe a character) not yet complete. */
  private pending: Uint8Array | undefined;
  private data: string[] = [];
  private eventName: string | undefined;
  private readonly ready: SseEvent[] = [];
  private head = 0;
  private ended = false;

  /** A web `ReadableStream` (fetch) or any async iterable of bytes, such as an undici `request` body. */
  constructor(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>) {
    if ('getReader' in body) {
      this.reader = body.getReader();
    } else {
      const iterator = body[Symbol.asyncIterator]();
      this.reader = {
        read: () => iterator.next(),
        cancel: async () => {
          await iterator.return?.();
        },
      };
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<SseEvent, undefined>> {
    if (this.head < this.ready.length) return Promise.resolve({ done: false, value: this.take() });
    return this.fill().then((more) =>
      more ? { done: false, value: this.take() } : { done: true, value: undefined },
    );
  }

  return(): Promise<IteratorResult<SseEvent, undefined>> {
    this.reader.cancel().catch(() => undefined);
    return Promise.resolve({ done: true, value: undefined });
  }

  /**
   * Reads the rest of the body without decoding it, for at most `withinMs`, then stops. An OpenAI stream ends right
   * after `data: [DONE]`; leaving at `[DONE]` destroyed a body whose end had not been read yet, and Node builds an
   * `AbortError` with its stack for that (about 2% of a streamed request's CPU in `pnpm bench:profile`). A server
   * that keeps the body open past `withinMs` has it cancelled by the consumer, as before.
   */
  async drain(withinMs: number): Promise<void> {
    this.ready.length = 0;
    this.head = 0;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(resolve, withinMs, 'late');
    });
    try {
      while (!this.ended) {
        const read = this.reader.read();
        // Left pending when the deadline wins; the cancel that follows makes it fail, which nobody awaits.
        read.catch(() => undefined);
        const result = await Promise.race([read, late]);
        if (result === 'late') break;
        if (result.done) this.ended = true;
      }
    } catch {
      // A body that fails after the answer's end changes nothing: the answer is complete.
    } finally {
      clearTimeout(timer);
    }
  }

  private take(): SseEvent {
    const event = this.ready[this.head] as SseEvent;
    this.head += 1;
    if (this.head === this.ready.length) {
      this.ready.length = 0;
      this.head = 0;
    }
    return event;
  }

  /** Reads until an event is ready; resolves `false` at the end of the body. Rejects when the body fails. */
  private async fill(): Promise<boolean> {
    while (this.head === this.ready.length) {
      if (this.ended) return false;
      const result = await this.reader.read();
      // At the end, bytes after the last line feed are an unterminated line: no event can complete with it.
      if (result.done) this.ended = true;
      else this.decode(result.value);
    }
    return true;
  }

  /**
   * Decodes whole lines only: a line feed byte never occurs inside a multi-byte UTF-8 character, so text up to
   * the last one decodes on its own, with one decoder shared by every stream (a decoder per stream held native
   * memory per stream until the next full GC).
   */
  private decode(bytes: Uint8Array): void {
    const lastLineFeed = bytes.lastIndexOf(lineFeed);
    if (lastLineFeed === -1) {
      this.pending = this.pending ? concat(this.pending, bytes) : bytes.slice();
      return;
    }
    const complete = bytes.subarray(0, lastLineFeed + 1);
    const buffer = utf8.decode(this.pending ? concat(this.pending, complete) : complete);
    this.pending = lastLineFeed + 1 < bytes.length ? bytes.slice(lastLineFeed + 1) : undefined;
    let start = 0;
    for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n', start)) {
      const end =
        newline > start && buffer.charCodeAt(newline - 1) === carriageReturn ? newline - 1 : newline;
      this.line(buffer, start, end);
      start = newline + 1;
    }
  }

  private line(buffer: string, start: number, end: number): void {
    if (start === end) {
      if (this.data.length > 0)
        this.ready.push({
          event: this.eventName,
          data: this.data.length === 1 ? (this.data[0] ?? '') : this.data.join('\n'),
        });
      this.data = [];
      this.eventName = undefined;
      return;
    }
    if (buffer.charCodeAt(start) === colon) return; // a comment, e.g. a keep-alive
    let separator = buffer.indexOf(':', start);
    if (separator === -1 || separator > end) separator = end;
    const field = buffer.slice(start, separator);
    let valueStart = separator < end ? separator + 1 : end;
    if (valueStart < end && buffer.charCodeAt(valueStart) === space) valueStart += 1;
    if (field === 'data') this.data.push(buffer.slice(valueStart, end));
    else if (field === 'event') this.eventName = buffer.slice(valueStart, end);
  }
}
