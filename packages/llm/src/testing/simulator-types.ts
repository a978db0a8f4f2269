/** The shapes every simulator shares: scripted faults, what a dialect parses and writes, the running simulator. */

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
    /** Accepts the request and never answers (hung); the socket is released when the client aborts or `close()` runs. */
    | { type: 'no_response' }
    /**
     * Streams: headers at once, first token after `delayMs` (plus up to `jitterMs`, uniformly). Non-streamed: the
     * whole body after that. With `probability` (0..1), only that share of requests is slowed; the others fall
     * through to the next fault (or the normal answer) without using up `times`.
     */
    | { type: 'slow_first_token'; delayMs: number; jitterMs?: number; probability?: number }
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
    /** The provider's content-filter refusal of the prompt (status or prompt feedback, as the provider does it). */
    | { type: 'content_filter' }
    /**
     * The provider's filter stops the answer after `tokens` tokens (0: before any), in its own shape: OpenAI
     * `finish_reason: content_filter`, Gemini `finishReason: SAFETY`, Anthropic `stop_reason: refusal`. (Cohere
     * has no such finish: it refuses with a 400, the `content_filter` fault.)
     */
    | { type: 'content_filter_after_tokens'; tokens: number }
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

/** What an embeddings dialect extracted from a request: enough to write deterministic vectors. */
export interface ParsedEmbeddingCall {
  model: string;
  /** One text per input (a token-id array is written as `tokens:1,2,3`: its vector stays deterministic). */
  texts: string[];
  /** Vector length asked for (OpenAI `dimensions`, Gemini `outputDimensionality`, Cohere `output_dimension`). */
  dimensions?: number;
  /** OpenAI `encoding_format: base64`: vectors as base64 of little-endian float32. */
  base64?: boolean;
  /** Gemini's two methods answer in two shapes. */
  batch?: boolean;
  /** Input tokens, as the provider would bill them. */
  promptTokens: number;
}

/** The embeddings endpoints of a provider's wire format, served by the same simulator (and faults) as its chat. */
export interface EmbeddingDialect {
  /** Parses an embeddings request; `undefined` when the request is not one (the chat dialect then tries). */
  parseEmbeddingCall(method: string, path: string, body: unknown): ParsedEmbeddingCall | undefined;
  /** The JSON body of a successful answer with these vectors (in input order). */
  embeddingBody(call: ParsedEmbeddingCall, vectors: number[][]): unknown;
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
  /** The provider's embeddings API, when it has one. */
  embeddings?: EmbeddingDialect;
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
  /** Seed of the random draws of faults with a `probability` or `jitterMs`, so a run can be repeated (default 1). */
  seed?: number;
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
  /** Responses the client abandoned (closed its connection) before the simulator finished them, since start. */
  clientDisconnects(): number;
  /** TCP connections accepted since start: fewer than requests when the client reuses kept-alive connections. */
  connectionsAccepted(): number;
  /** Stops listening and destroys every open socket (stalled streams included). */
  close(): Promise<void>;
}
