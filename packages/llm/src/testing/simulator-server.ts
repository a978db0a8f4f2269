import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { continueInstruction } from '../continuation.js';

/**
 * A scripted failure. Each applies to the next `times` matching requests (default: every request),
 * then the simulator answers normally again. Stream-only faults behave as documented on non-streamed calls.
 */
export type Fault = { times?: number } &
  /** 429 with `Retry-After: retryAfterSeconds` (default 1). */
  (
    | { type: 'rate_limit'; retryAfterSeconds?: number }
    /** 429 on every request with no Retry-After: the quota is gone. */
    | { type: 'rate_limit_persistent' }
    /** 500 (default) or 502 with the provider's error body. */
    | { type: 'server_error'; status?: 500 | 502 }
    /** 503 (default) or 529 "overloaded". */
    | { type: 'overloaded'; status?: 503 | 529 }
    /** Destroys the TCP socket before any response header is written. */
    | { type: 'reset_before_headers' }
    /** Accepts the request and never answers; the socket is released when the client aborts or `close()` runs. */
    | { type: 'no_response' }
    /** Streams: headers at once, first token after `delayMs`. Non-streamed: the whole body after `delayMs`. */
    | { type: 'slow_first_token'; delayMs: number }
    /** Streams `tokens` tokens then destroys the socket (non-streamed: half a JSON body then destroy). */
    | { type: 'cut_after_tokens'; tokens: number }
    /** Streams `tokens` tokens then goes silent until the client aborts (non-streamed: never answers). */
    | { type: 'stall_after_tokens'; tokens: number }
    /** Streams `afterTokens` tokens then one event whose data is not valid JSON and ends (non-streamed: an invalid JSON body). */
    | { type: 'malformed_chunk'; afterTokens: number }
    /** Streams every token, then ends the response without finish event and terminator. */
    | { type: 'no_terminator' }
    /** Streams `afterTokens` tokens then the provider's in-band error event inside the 200 stream. */
    | { type: 'in_band_error'; afterTokens: number }
    /** 400 "context length exceeded" in the provider's own wording. */
    | { type: 'context_length' }
    /** The provider's content-filter refusal (status or finish reason, as the provider does it). */
    | { type: 'content_filter' }
    /** 400 for requests that end with an assistant message (a prefill); other requests are not affected. */
    | { type: 'prefill_rejected' }
    /** 401 invalid API key. */
    | { type: 'auth' }
    /** 404 unknown model. */
    | { type: 'not_found' }
    /** 400 invalid request. */
    | { type: 'bad_request' }
    /** Answers normally but rate-limit headers say 0 requests remaining, refilling in `resetSeconds`. */
    | { type: 'rate_limit_headers_zero'; resetSeconds: number }
    /** Alternates: odd-numbered matching requests fail with 500, even-numbered ones succeed. */
    | { type: 'flapping' }
  );

/** The `type` of a `Fault`. */
export type FaultType = Fault['type'];

/** Error responses a dialect must be able to write in its provider's format. */
export type SimulatedErrorKind =
  | 'rate_limit'
  | 'server_error'
  | 'overloaded'
  | 'context_length'
  | 'content_filter'
  | 'prefill_rejected'
  | 'auth'
  | 'not_found'
  | 'bad_request';

/** One request as the simulator received it, for assertions. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; `undefined` when the body was empty or not JSON. */
  body: unknown;
}

/** What a dialect extracted from a provider request: enough to script the answer. */
export interface ParsedCall {
  model: string;
  stream: boolean;
  /** Text of the conversation's last real user turn (continuation instructions are skipped). */
  prompt: string;
  /** Partial assistant text the caller asked to continue (a trailing assistant prefill or a continue instruction). */
  partial?: string;
  /** True when the request ends with an assistant message. */
  hasPrefill: boolean;
  /** All message texts joined, for the prompt token count. */
  promptText: string;
  /** Set when the caller declared tools; the default answer then calls the first one. */
  toolName?: string;
}

/** The scripted answer of one call, passed to the dialect's writers. */
export interface SimulatedAnswer {
  /** Stable per call, e.g. `chatcmpl-sim-12`. */
  id: string;
  model: string;
  created: number;
  /** Tokens to send (already without the prefill part); joined they form `text`. */
  tokens: string[];
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** Set when the answer is a tool call instead of text. */
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: 'stop' | 'tool_calls' | 'content_filter';
}

/** An HTTP response a dialect wants written. */
export interface SimulatedResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * Everything provider-specific about a simulator: routing, request parsing and wire-format writers.
 * The shared server (`startSimulatorServer`) owns sockets, faults, timing and recording.
 */
export interface SimulatorDialect {
  /** Name used in ids and messages, e.g. `openai`. */
  name: string;
  /** Parses a request; `undefined` answers 404 (unknown route). `path` includes the query string. */
  parseCall(method: string, path: string, body: unknown): ParsedCall | undefined;
  /** The provider's error response for a kind and status. */
  errorResponse(
    kind: SimulatedErrorKind,
    status: number,
    message: string,
    retryAfterSeconds?: number,
  ): SimulatedResponse;
  /** Rate-limit headers in the provider's format, sent with every answer. */
  rateLimitHeaders(remaining: number, resetSeconds: number): Record<string, string>;
  /** Non-streamed JSON body of a successful answer. */
  completionBody(answer: SimulatedAnswer): unknown;
  /** Raw SSE frames (each ending in a blank line) opening a stream, before the first token. */
  streamStart(answer: SimulatedAnswer): string[];
  /** Raw SSE frame carrying one text token. */
  streamToken(answer: SimulatedAnswer, token: string, index: number): string;
  /** Raw SSE frames for a tool call answer (sent instead of tokens). */
  streamToolCall(answer: SimulatedAnswer): string[];
  /** Raw SSE frames closing a complete stream: finish reason, usage and the terminator if the provider has one. */
  streamEnd(answer: SimulatedAnswer): string[];
  /** Raw SSE frame of an error event inside a 200 stream. */
  streamError(answer: SimulatedAnswer, message: string): string;
  /** Raw SSE frame whose data is not valid JSON. */
  malformedFrame(): string;
}

/** Options shared by every simulator. */
export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Faults active from the start. */
  faults?: Fault[];
  /** Delay between streamed tokens in ms (default 0: tokens are written back to back). */
  tokenDelayMs?: number;
  /** Scripted answer text for a call; default: a deterministic sentence derived from the prompt. */
  answer?: (call: ParsedCall) => string;
  /** Keep recorded requests (default true); the bench turns it off. */
  record?: boolean;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123`. Provider SDKs append their own paths. */
  readonly url: string;
  /** Requests received since start or the last `reset()`. */
  readonly requests: RecordedRequest[];
  /** Replaces the active faults (their `times` counters start fresh). */
  setFaults(faults: Fault[]): void;
  /** Clears faults and recorded requests. */
  reset(): void;
  /** How many responses a fault type has shaped since start (kept across `setFaults` and `reset`). */
  faultsServed(type: FaultType): number;
  /** Stops listening and destroys every open socket (stalled streams included). */
  close(): Promise<void>;
}

/** The deterministic default answer: the same prompt always yields the same tokens. */
export function defaultAnswerText(call: ParsedCall): string {
  const topic = call.prompt.trim().split(/\s+/).slice(0, 8).join(' ') || 'nothing';
  return `Simulated answer about ${topic}. It has several words so that streams carry many tokens and tests can cut them anywhere.`;
}

/** Splits text into word tokens that keep their trailing whitespace, so joining them gives the text back. */
export function splitTokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Text of a message content in any of the shapes providers use (string, parts with `text`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return (content as unknown[])
      .map((part) => {
        const text = part && typeof part === 'object' && 'text' in part ? part.text : undefined;
        return typeof text === 'string' ? text : '';
      })
      .join('');
  }
  return '';
}

/**
 * Works out prompt and partial answer from role/text turns, recognising both continuation styles:
 * a trailing assistant prefill, and assistant partial + the client's continue instruction.
 */
export function readConversation(
  turns: Array<{ role: string; text: string }>,
): Pick<ParsedCall, 'prompt' | 'partial' | 'hasPrefill' | 'promptText'> {
  const last = turns.at(-1);
  const hasPrefill = last?.role === 'assistant';
  let partial: string | undefined;
  let promptIndex = turns.length - 1;
  if (hasPrefill) {
    partial = last.text;
    promptIndex = turns.length - 2;
  } else if (
    last?.role === 'user' &&
    last.text === continueInstruction &&
    turns.at(-2)?.role === 'assistant'
  ) {
    partial = turns.at(-2)?.text;
    promptIndex = turns.length - 3;
  }
  let prompt = '';
  for (let index = promptIndex; index >= 0; index -= 1) {
    const turn = turns[index];
    if (turn?.role === 'user') {
      prompt = turn.text;
      break;
    }
  }
  return { prompt, partial, hasPrefill, promptText: turns.map((turn) => turn.text).join('\n') };
}

function countWords(text: string): number {
  return Math.max(1, splitTokens(text).length);
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
  seen: number;
}

function errorKindOf(fault: Fault): { kind: SimulatedErrorKind; status: number } | undefined {
  switch (fault.type) {
    case 'rate_limit':
    case 'rate_limit_persistent':
      return { kind: 'rate_limit', status: 429 };
    case 'server_error':
      return { kind: 'server_error', status: fault.status ?? 500 };
    case 'overloaded':
      return { kind: 'overloaded', status: fault.status ?? 503 };
    case 'context_length':
      return { kind: 'context_length', status: 400 };
    case 'content_filter':
      return { kind: 'content_filter', status: 400 };
    case 'prefill_rejected':
      return { kind: 'prefill_rejected', status: 400 };
    case 'auth':
      return { kind: 'auth', status: 401 };
    case 'not_found':
      return { kind: 'not_found', status: 404 };
    case 'bad_request':
      return { kind: 'bad_request', status: 400 };
    default:
      return undefined;
  }
}

const errorMessages: Record<SimulatedErrorKind, string> = {
  rate_limit: 'Rate limit reached for requests. Please try again later.',
  server_error: 'The server had an error while processing your request.',
  overloaded: 'The engine is currently overloaded, please try again later.',
  context_length:
    "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
  content_filter: 'The response was filtered due to the prompt triggering content management policy.',
  prefill_rejected:
    'This model does not support assistant message prefill. The conversation must end with a user message.',
  auth: 'Incorrect API key provided.',
  not_found: 'The model does not exist or you do not have access to it.',
  bad_request: "Invalid value for 'temperature': expected a number between 0 and 2.",
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts a simulator for one dialect on node:http (not Fastify: the bench needs the upstream to be
 * much faster than the client under test). Deterministic: same request and faults, same bytes.
 */
export async function startSimulatorServer(
  dialect: SimulatorDialect,
  options: SimulatorOptions = {},
): Promise<Simulator> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const record = options.record ?? true;
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  const answerText = options.answer ?? defaultAnswerText;
  let faults: ActiveFault[] = [];
  const served = new Map<FaultType, number>();
  let callCounter = 0;
  let closed = false;

  const setFaults = (next: Fault[]) => {
    faults = next.map((fault) => ({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, seen: 0 }));
  };
  setFaults(options.faults ?? []);

  const takeFault = (call: ParsedCall): Fault | undefined => {
    for (const active of faults) {
      if (active.remaining <= 0) continue;
      if (active.fault.type === 'prefill_rejected' && !call.hasPrefill) continue;
      active.remaining -= 1;
      active.seen += 1;
      if (active.fault.type === 'flapping' && active.seen % 2 === 0) return undefined;
      served.set(active.fault.type, (served.get(active.fault.type) ?? 0) + 1);
      return active.fault;
    }
    return undefined;
  };

  /** Resolves after `ms`, or early (false) when the response closes, so no timer outlives a socket. */
  const wait = (response: ServerResponse, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (response.destroyed || closed) {
        resolve(false);
        return;
      }
      const onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        response.off('close', onClose);
        resolve(true);
      }, ms);
      response.once('close', onClose);
    });

  const holdUntilClosed = (response: ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      if (response.destroyed) resolve();
      else response.once('close', () => resolve());
    });

  const writeJson = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    // A string body is written raw: dialects answer some faults with a 200 SSE body (e.g. a streamed refusal).
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...headers,
    });
    response.end(payload);
  };

  const buildAnswer = (call: ParsedCall): SimulatedAnswer => {
    callCounter += 1;
    const full = answerText(call);
    let text = full;
    if (call.partial !== undefined && full.startsWith(call.partial)) text = full.slice(call.partial.length);
    const toolCall =
      call.toolName && call.partial === undefined
        ? {
            id: `call_sim_${callCounter}`,
            name: call.toolName,
            arguments: JSON.stringify({ query: call.prompt.slice(0, 40) }),
          }
        : undefined;
    const tokens = toolCall ? [] : splitTokens(text);
    return {
      id: `${dialect.name}-sim-${callCounter}`,
      model: call.model,
      created: 1_700_000_000 + callCounter,
      tokens,
      text: toolCall ? '' : text,
      promptTokens: countWords(call.promptText),
      completionTokens: toolCall ? countWords(toolCall.arguments) : tokens.length,
      toolCall,
      finishReason: toolCall ? 'tool_calls' : 'stop',
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      body = undefined;
    }
    const path = request.url ?? '/';
    if (record)
      requests.push({ method: request.method ?? 'GET', path, headers: { ...request.headers }, body });
    const call = dialect.parseCall(request.method ?? 'GET', path, body);
    if (!call) {
      const notFound = dialect.errorResponse('not_found', 404, `No route for ${request.method} ${path}`);
      writeJson(response, notFound.status, notFound.body, notFound.headers);
      return;
    }
    const fault = takeFault(call);
    let limitHeaders = dialect.rateLimitHeaders(10_000, 1);

    if (fault) {
      if (fault.type === 'reset_before_headers') {
        request.socket.destroy();
        return;
      }
      if (fault.type === 'no_response' || (fault.type === 'stall_after_tokens' && !call.stream)) {
        await holdUntilClosed(response);
        return;
      }
      if (fault.type === 'rate_limit_headers_zero')
        limitHeaders = dialect.rateLimitHeaders(0, fault.resetSeconds);
      const errorKind =
        fault.type === 'flapping' ? { kind: 'server_error' as const, status: 500 } : errorKindOf(fault);
      if (errorKind) {
        const retryAfterSeconds = fault.type === 'rate_limit' ? (fault.retryAfterSeconds ?? 1) : undefined;
        const error = dialect.errorResponse(
          errorKind.kind,
          errorKind.status,
          errorMessages[errorKind.kind],
          retryAfterSeconds,
        );
        const headers: Record<string, string> = { ...limitHeaders, ...error.headers };
        if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
        writeJson(response, error.status, error.body, headers);
        return;
      }
    }

    const answer = buildAnswer(call);
    if (!call.stream) {
      if (fault?.type === 'slow_first_token' && !(await wait(response, fault.delayMs))) return;
      const payload = JSON.stringify(dialect.completionBody(answer));
      if (fault?.type === 'cut_after_tokens') {
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...limitHeaders,
        });
        response.write(payload.slice(0, Math.floor(payload.length / 2)));
        response.destroy();
        return;
      }
      if (fault?.type === 'malformed_chunk') {
        response.writeHead(200, { 'content-type': 'application/json', ...limitHeaders });
        response.end(payload.slice(0, Math.floor(payload.length / 2)));
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        ...limitHeaders,
      });
      response.end(payload);
      return;
    }

    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...limitHeaders,
    });
    response.flushHeaders();
    for (const frame of dialect.streamStart(answer)) response.write(frame);
    if (fault?.type === 'slow_first_token' && !(await wait(response, fault.delayMs))) return;

    const stopAt =
      fault?.type === 'cut_after_tokens' || fault?.type === 'stall_after_tokens'
        ? fault.tokens
        : fault?.type === 'malformed_chunk' || fault?.type === 'in_band_error'
          ? fault.afterTokens
          : Number.POSITIVE_INFINITY;

    if (answer.toolCall) {
      for (const frame of dialect.streamToolCall(answer)) response.write(frame);
    }
    for (let index = 0; index < answer.tokens.length && index < stopAt; index += 1) {
      if (index > 0 && tokenDelayMs > 0 && !(await wait(response, tokenDelayMs))) return;
      if (response.destroyed) return;
      response.write(dialect.streamToken(answer, answer.tokens[index] ?? '', index));
    }
    switch (fault?.type) {
      case 'cut_after_tokens':
        // Let the written tokens leave before the reset, as a real mid-stream cut does.
        response.once('drain', () => response.destroy());
        if (!response.writableNeedDrain) setImmediate(() => response.destroy());
        return;
      case 'stall_after_tokens':
        await holdUntilClosed(response);
        return;
      case 'malformed_chunk':
        response.end(dialect.malformedFrame());
        return;
      case 'in_band_error':
        response.end(dialect.streamError(answer, errorMessages.server_error));
        return;
      case 'no_terminator':
        response.end();
        return;
      default:
        for (const frame of dialect.streamEnd(answer)) response.write(frame);
        response.end();
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) writeJson(response, 500, { error: { message: 'simulator failure' } });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFaults,
    reset() {
      setFaults([]);
      requests.length = 0;
    },
    faultsServed: (type) => served.get(type) ?? 0,
    async close() {
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
}

/** Formats one SSE frame: optional `event:` line, `data:` line, blank line. */
export function sseFrame(data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}
