import type { ServerResponse } from 'node:http';

/** Options of `createSseWriter`. */
export interface SseWriterOptions {
  /** A comment line is written when nothing else was for this long, so proxies and clients keep the connection. */
  heartbeatMs: number;
  /** Called for the headers right before they are sent (first event or first heartbeat). */
  headers: () => Record<string, string>;
}

/** One ticker per heartbeat period for every open stream: 10,000 streams must not mean 10,000 interval timers. */
const tickers = new Map<number, { timer: NodeJS.Timeout; streams: Set<(now: number) => void> }>();

function joinTicker(heartbeatMs: number, check: (now: number) => void): () => void {
  let ticker = tickers.get(heartbeatMs);
  if (!ticker) {
    const streams = new Set<(now: number) => void>();
    const timer = setInterval(
      () => {
        const now = Date.now();
        for (const each of streams) each(now);
      },
      Math.max(Math.floor(heartbeatMs / 2), 50),
    );
    timer.unref();
    ticker = { timer, streams };
    tickers.set(heartbeatMs, ticker);
  }
  const joined = ticker;
  joined.streams.add(check);
  return () => {
    if (!joined.streams.delete(check) || joined.streams.size > 0) return;
    clearInterval(joined.timer);
    tickers.delete(heartbeatMs);
  };
}

/**
 * Writes Server-Sent Events the way OpenAI does (`data: {...}\n\n`, `data: [DONE]\n\n`).
 * Headers go out lazily with the first event so they can name the provider that answered; if the first
 * token is slow, the first heartbeat sends them early instead.
 */
export function createSseWriter(response: ServerResponse, options: SseWriterOptions) {
  let lastWriteAt = Date.now();
  let ended = false;

  const leaveTicker = joinTicker(options.heartbeatMs, (now) => {
    if (now - lastWriteAt >= options.heartbeatMs - 5) void write(': keep-alive\n\n');
  });

  function sendHeaders(): void {
    if (response.headersSent) return;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Stops nginx-style proxies from buffering the stream.
      'x-accel-buffering': 'no',
      ...options.headers(),
    });
  }

  function write(text: string): Promise<void> | undefined {
    if (ended || response.destroyed) return undefined;
    sendHeaders();
    lastWriteAt = Date.now();
    if (response.write(text)) return undefined;
    // Backpressure: a slow reader pauses us instead of growing memory.
    return new Promise((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.once('drain', done);
      response.once('close', done);
    });
  }

  return {
    /** True once the status line and headers went out; errors after that must travel in the stream. */
    get headersSent(): boolean {
      return response.headersSent;
    },
    /** Writes one `data:` event; await the result to respect backpressure. */
    data(payload: unknown): Promise<void> | undefined {
      return write(`data: ${JSON.stringify(payload)}\n\n`);
    },
    /** Writes one typed event (`event: <name>` then its `data:`), as the Responses API streams. */
    event(name: string, payload: unknown): Promise<void> | undefined {
      return write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    },
    /** Writes `data: [DONE]` and ends the response. */
    done(): void {
      void write('data: [DONE]\n\n');
      this.end();
    },
    /** Ends the response without `[DONE]` (after an in-stream error). */
    end(): void {
      leaveTicker();
      if (ended) return;
      ended = true;
      if (!response.destroyed) {
        sendHeaders();
        response.end();
      }
    },
  };
}

/** An SSE writer bound to one response. */
export type SseWriter = ReturnType<typeof createSseWriter>;
