import type { ChatCompletionChunk } from '@switchyard/llm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError, type OpenAIErrorEnvelope } from '../error-handler.js';
import { streamHeaders } from './gateway-headers.js';
import { createSseWriter, type SseWriter } from './sse-writer.js';
import type { StreamProgress } from './stream-progress.js';

/** What `streamChatAnswer` relays: chunks, and who is answering (for the headers). */
export interface RelayedStream {
  chunks: AsyncIterable<ChatCompletionChunk>;
  progress: () => StreamProgress | undefined;
}

/** What every streamed answer of a route shares. */
export interface ChatStreamerOptions {
  heartbeatMs: number;
  maxBodyBytes: number;
  /** Registers a stream with graceful shutdown; the returned function unregisters it. */
  trackStream: (controller: AbortController) => () => void;
}

/** One streamed answer: how to start it, and what to do around its chunks. */
export interface ChatStreamHandlers<Stream extends RelayedStream> {
  /** Headers besides the `x-gateway-*` ones, read when the headers go out. */
  headers?: () => Record<string, string>;
  /** Starts the upstream call; `signal` aborts it when the client leaves or shutdown gives up waiting. */
  start: (signal: AbortSignal) => Stream;
  /** Sees every chunk before it is written. */
  onChunk?: (chunk: ChatCompletionChunk) => void;
  /** After the last chunk, before `[DONE]`: may write more events. */
  beforeDone?: (sse: SseWriter, stream: Stream) => Promise<void>;
  /** After `[DONE]` went out. */
  afterDone?: (stream: Stream) => Promise<void>;
  /**
   * Writes a chunk in another wire format (the Responses API's typed events) instead of a `data:` chunk; such a
   * stream also ends without `[DONE]`.
   */
  write?: (sse: SseWriter, chunk: ChatCompletionChunk) => Promise<void> | undefined;
  /** Writes a failure after the headers in that format, instead of a last `data:` error envelope. */
  writeFailure?: (sse: SseWriter, envelope: OpenAIErrorEnvelope) => void;
}

/**
 * Answers chat requests as SSE streams: takes over the socket, aborts the upstream call when the client
 * leaves, relays chunks with backpressure, and reports a failure as a JSON error (before the headers) or as a
 * last `data:` event (after them, where the OpenAI SDK raises it as an APIError).
 */
export function createChatStreamer(options: ChatStreamerOptions) {
  return async function streamChatAnswer<Stream extends RelayedStream>(
    request: FastifyRequest,
    reply: FastifyReply,
    handlers: ChatStreamHandlers<Stream>,
  ): Promise<void> {
    const controller = new AbortController();
    const untrack = options.trackStream(controller);
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('client disconnected'));
    });
    // We own the socket from here, so the error handler and onSend hooks no longer apply.
    reply.hijack();
    const stream = handlers.start(controller.signal);
    const sse = createSseWriter(reply.raw, {
      heartbeatMs: options.heartbeatMs,
      headers: () => ({ ...handlers.headers?.(), ...streamHeaders(stream.progress(), request.id) }),
    });
    try {
      for await (const chunk of stream.chunks) {
        handlers.onChunk?.(chunk);
        const pending = handlers.write ? handlers.write(sse, chunk) : sse.data(chunk);
        if (pending) await pending;
      }
      await handlers.beforeDone?.(sse, stream);
      if (handlers.write) sse.end();
      else sse.done();
      await handlers.afterDone?.(stream);
    } catch (error) {
      if (controller.signal.aborted && reply.raw.destroyed) {
        request.log.info('client disconnected; upstream call aborted');
      } else {
        const mapped = mapError(error, request.id, options.maxBodyBytes);
        if (mapped.statusCode >= 500) request.log.warn({ code: mapped.envelope.error.code }, 'stream failed');
        if (sse.headersSent) {
          if (handlers.writeFailure) handlers.writeFailure(sse, mapped.envelope);
          else void sse.data(mapped.envelope);
        } else if (!reply.raw.destroyed) {
          reply.raw.writeHead(mapped.statusCode, {
            'content-type': 'application/json',
            'x-request-id': request.id,
          });
          reply.raw.end(JSON.stringify(mapped.envelope));
        }
      }
    } finally {
      untrack();
      sse.end();
    }
  };
}
