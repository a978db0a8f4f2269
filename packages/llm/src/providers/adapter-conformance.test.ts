import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { ChatProvider, RateLimitSnapshot } from '../chat-provider.js';
import type { ChatCompletionChunk, ChatRequest } from '../chat-types.js';
import { LlmError, type LlmErrorKind } from '../errors.js';
import { startAnthropicSimulator } from '../testing/anthropic-simulator.js';
import { startCohereSimulator } from '../testing/cohere-simulator.js';
import { startGeminiSimulator } from '../testing/gemini-simulator.js';
import {
  defaultAnswerText,
  type Fault,
  type Simulator,
  type SimulatorOptions,
} from '../testing/simulator-server.js';
import { createAnthropicProvider } from './anthropic/index.js';
import { createCohereProvider } from './cohere/index.js';
import { createGeminiProvider } from './gemini/index.js';

/**
 * Every non-OpenAI adapter, through its SDK or wire format, against the simulator of its provider:
 * the same behaviour is expected of each, only the provider's own wording of statuses differs.
 */

interface AdapterCase {
  name: string;
  model: string;
  start: (options?: SimulatorOptions) => Promise<Simulator>;
  create: (baseUrl: string, fetch: typeof globalThis.fetch) => ChatProvider;
  /** Status each fault surfaces with, where the provider differs from the plain HTTP status. */
  statuses: { auth: number; overloaded: number; contentFilter: number | undefined };
  /** Kind and status of the provider's in-band stream error event. */
  inBandError: { kind: LlmErrorKind; status: number | undefined };
  /** Whether the provider reports rate-limit headroom in headers. */
  rateLimitHeaders: boolean;
}

const timeouts = { connectMs: 2_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 20_000 };

const cases: AdapterCase[] = [
  {
    name: 'anthropic',
    model: 'claude-sonnet-4-5',
    start: startAnthropicSimulator,
    create: (baseUrl, fetch) => createAnthropicProvider({ apiKey: 'sk-ant-test', baseUrl, timeouts, fetch }),
    statuses: { auth: 401, overloaded: 529, contentFilter: undefined },
    inBandError: { kind: 'overloaded', status: 529 },
    rateLimitHeaders: true,
  },
  {
    name: 'gemini',
    model: 'gemini-2.5-flash',
    start: startGeminiSimulator,
    create: (baseUrl, fetch) => createGeminiProvider({ apiKey: 'gemini-test-key', baseUrl, timeouts, fetch }),
    // Gemini answers a bad key with 400 (ErrorInfo API_KEY_INVALID) and overload with 503 UNAVAILABLE.
    statuses: { auth: 400, overloaded: 503, contentFilter: undefined },
    inBandError: { kind: 'server', status: 500 },
    rateLimitHeaders: false,
  },
  {
    name: 'cohere',
    model: 'command-a-03-2025',
    start: startCohereSimulator,
    create: (baseUrl, fetch) => createCohereProvider({ apiKey: 'cohere-test-key', baseUrl, timeouts, fetch }),
    statuses: { auth: 401, overloaded: 529, contentFilter: 400 },
    inBandError: { kind: 'server', status: undefined },
    rateLimitHeaders: false,
  },
];

const prompt = 'Explain circuit breakers in one paragraph';
const expectedText = defaultAnswerText({
  prompt,
  promptText: prompt,
  model: '',
  stream: false,
  hasPrefill: false,
});
const weatherTool: ChatRequest['tools'] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: { type: 'object', properties: { query: { type: 'string' } } },
    },
  },
];

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'ignored',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: prompt },
    ],
    ...overrides,
  };
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Collects a stream that must fail; returns the chunks that arrived first and the error. */
async function collectFailure(
  stream: AsyncIterable<ChatCompletionChunk>,
): Promise<{ chunks: ChatCompletionChunk[]; error: LlmError }> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return { chunks, error: error as LlmError };
  }
  throw new Error('the stream ended without an error');
}

function textOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}

async function rejection(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe.each(cases)('$name adapter against its simulator', (adapter) => {
  let simulator: Simulator;
  let provider: ChatProvider;
  let fetchCalls = 0;
  const signal = () => new AbortController().signal;
  const call = (
    extra: { onRateLimit?: (snapshot: RateLimitSnapshot) => void; signal?: AbortSignal } = {},
  ) => ({
    model: adapter.model,
    signal: extra.signal ?? signal(),
    ...(extra.onRateLimit ? { onRateLimit: extra.onRateLimit } : {}),
  });

  beforeAll(async () => {
    simulator = await adapter.start();
    const countingFetch: typeof globalThis.fetch = (input, init) => {
      fetchCalls += 1;
      return globalThis.fetch(input, init);
    };
    provider = adapter.create(simulator.url, countingFetch);
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => {
    simulator.reset();
    fetchCalls = 0;
  });

  it('answers a text request with content, finish reason and usage including cached input tokens', async () => {
    const completion = await provider.chat(request(), call());

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(adapter.model);
    expect(completion.choices[0]?.message.content).toBe(expectedText);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const usage = completion.usage!;
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    // The simulators report half of every prompt as read from cache; OpenAI counts it inside prompt_tokens.
    expect(usage.prompt_tokens_details?.cached_tokens).toBe(Math.floor(usage.prompt_tokens / 2));
    expect(usage.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(fetchCalls).toBe(1);
  });

  it('streams OpenAI chunks whose text matches the non-streamed answer and whose last chunk carries usage', async () => {
    const completion = await provider.chat(request(), call());
    const chunks = await collect(provider.chatStream(request({ stream: true }), call()));

    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(textOf(chunks)).toBe(expectedText);
    const last = chunks.at(-1)!;
    expect(last.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    expect(last.usage).toEqual(completion.usage);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('returns a tool call the model makes, non-streamed and streamed', async () => {
    const completion = await provider.chat(request({ tools: weatherTool }), call());
    const toolCall = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(toolCall?.function.name).toBe('get_weather');
    expect(JSON.parse(toolCall!.function.arguments)).toEqual({ query: prompt.slice(0, 40) });
    expect(toolCall?.id).toMatch(/\S/);

    const chunks = await collect(provider.chatStream(request({ tools: weatherTool, stream: true }), call()));
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(deltas.map((delta) => delta.function?.arguments ?? '').join(''))).toEqual({
      query: prompt.slice(0, 40),
    });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it.each([
    ['mid-word', expectedText.slice(0, 24)],
    ['after a space', expectedText.slice(0, expectedText.indexOf(' ', 20) + 1)],
  ])(
    'continues a trailing assistant message cut %s when it supports prefill, streamed or not',
    async (_where, partial) => {
      const messages: ChatRequest['messages'] = [
        ...request().messages,
        { role: 'assistant', content: partial },
      ];
      expect(provider.supportsPrefill).toBe(adapter.name !== 'cohere');
      if (!provider.supportsPrefill) return;
      const completion = await provider.chat(request({ messages }), call());
      expect(partial + (completion.choices[0]?.message.content ?? '')).toBe(expectedText);
      const chunks = await collect(provider.chatStream(request({ messages, stream: true }), call()));
      expect(partial + textOf(chunks)).toBe(expectedText);
    },
  );

  it('refuses a feature it cannot honour with unsupported_feature before calling the provider', async () => {
    const error = await rejection(provider.chat(request({ logit_bias: { '50256': -100 } }), call()));
    expect(error.kind).toBe('unsupported_feature');
    expect(simulator.requests).toHaveLength(0);
  });

  const errorCases: Array<{
    fault: Fault;
    kind: LlmErrorKind;
    status: (adapter: AdapterCase) => number | undefined;
    retryAfterMs?: number;
  }> = [
    {
      fault: { type: 'rate_limit', retryAfterSeconds: 7 },
      kind: 'rate_limit',
      status: () => 429,
      retryAfterMs: 7_000,
    },
    { fault: { type: 'server_error' }, kind: 'server', status: () => 500 },
    { fault: { type: 'overloaded', status: 529 }, kind: 'overloaded', status: (a) => a.statuses.overloaded },
    { fault: { type: 'auth' }, kind: 'auth', status: (a) => a.statuses.auth },
    { fault: { type: 'not_found' }, kind: 'not_found', status: () => 404 },
    { fault: { type: 'bad_request' }, kind: 'bad_request', status: () => 400 },
    { fault: { type: 'context_length' }, kind: 'context_length', status: () => 400 },
    { fault: { type: 'content_filter' }, kind: 'content_filter', status: (a) => a.statuses.contentFilter },
  ];

  it.each(errorCases)(
    'classifies the $fault.type fault as $kind, streamed or not',
    async ({ fault, kind, status, retryAfterMs }) => {
      simulator.setFaults([fault]);
      for (const stream of [false, true]) {
        const error = stream
          ? (await collectFailure(provider.chatStream(request({ stream: true }), call()))).error
          : await rejection(provider.chat(request(), call()));
        expect({ stream, kind: error.kind, status: error.status }).toEqual({
          stream,
          kind,
          status: status(adapter),
        });
        if (retryAfterMs !== undefined) expect(error.retryAfterMs).toBe(retryAfterMs);
        expect(error.message).not.toMatch(/sk-ant|api key|stack/i);
      }
    },
  );

  it('refuses a body its SDK cannot serialize as the caller’s bad_request naming the field, sending nothing', async () => {
    let nested: unknown = [];
    for (let depth = 0; depth < 8_000; depth += 1) nested = [nested];
    const tools: ChatRequest['tools'] = [
      { type: 'function', function: { name: 'deep', parameters: { type: 'object', enum: [nested] } } },
    ];
    for (const stream of [false, true]) {
      const error = stream
        ? (await collectFailure(provider.chatStream(request({ tools, stream: true }), call()))).error
        : await rejection(provider.chat(request({ tools }), call()));
      expect(error).toMatchObject({ kind: 'bad_request', param: 'tools', beforeSend: true });
      expect(error.message).toBe('Invalid request: the field "tools" is nested too deeply to be sent.');
    }
    expect(simulator.requests).toHaveLength(0);
  });

  it('classifies a rejected prefill as unsupported_feature', async () => {
    simulator.setFaults([{ type: 'prefill_rejected' }]);
    const messages: ChatRequest['messages'] = [
      ...request().messages,
      { role: 'assistant', content: 'Partial' },
    ];
    const error = await rejection(provider.chat(request({ messages }), call()));
    expect(error.kind).toBe('unsupported_feature');
    expect(error.status).toBe(400);
  });

  it('maps a connection reset before headers to network', async () => {
    simulator.setFaults([{ type: 'reset_before_headers' }]);
    expect((await rejection(provider.chat(request(), call()))).kind).toBe('network');
    expect((await collectFailure(provider.chatStream(request({ stream: true }), call()))).error.kind).toBe(
      'network',
    );
  });

  it('aborts promptly when the signal fires on a provider that never answers, as timeout, streamed or not', async () => {
    simulator.setFaults([{ type: 'no_response' }]);
    const controller = new AbortController();
    const pending = rejection(provider.chat(request(), call({ signal: controller.signal })));
    await vi.waitFor(() => expect(simulator.requests).toHaveLength(1), { timeout: 10_000 });
    controller.abort(new DOMException('deadline', 'TimeoutError'));
    expect((await pending).kind).toBe('timeout');

    const streamController = new AbortController();
    const pendingStream = collectFailure(
      provider.chatStream(request({ stream: true }), call({ signal: streamController.signal })),
    );
    await vi.waitFor(() => expect(simulator.requests).toHaveLength(2), { timeout: 10_000 });
    streamController.abort(new DOMException('first token', 'TimeoutError'));
    expect((await pendingStream).error.kind).toBe('timeout');
  });

  it('fails a stream cut after some tokens as network, after yielding those tokens', async () => {
    simulator.setFaults([{ type: 'cut_after_tokens', tokens: 3 }]);
    const { chunks, error } = await collectFailure(provider.chatStream(request({ stream: true }), call()));
    expect(error.kind).toBe('network');
    expect(expectedText.startsWith(textOf(chunks))).toBe(true);
    expect(chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
  });

  it('fails a stream that stalls when the signal fires, as timeout', async () => {
    simulator.setFaults([{ type: 'stall_after_tokens', tokens: 2 }]);
    const controller = new AbortController();
    const chunks: ChatCompletionChunk[] = [];
    let caught: unknown;
    try {
      for await (const chunk of provider.chatStream(
        request({ stream: true }),
        call({ signal: controller.signal }),
      )) {
        chunks.push(chunk);
        if (textOf(chunks).split(' ').length > 2) controller.abort(new DOMException('idle', 'TimeoutError'));
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LlmError);
    expect((caught as LlmError).kind).toBe('timeout');
  });

  it('fails a stream with a malformed chunk as server', async () => {
    simulator.setFaults([{ type: 'malformed_chunk', afterTokens: 2 }]);
    const { chunks, error } = await collectFailure(provider.chatStream(request({ stream: true }), call()));
    expect(error.kind).toBe('server');
    expect(textOf(chunks).length).toBeGreaterThan(0);
  });

  it('never finishes a stream that ends without its terminator', async () => {
    simulator.setFaults([{ type: 'no_terminator' }]);
    const { chunks, error } = await collectFailure(provider.chatStream(request({ stream: true }), call()));
    expect(error.kind).toBe('network');
    expect(textOf(chunks)).toBe(expectedText);
    expect(chunks.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
  });

  it('fails a stream carrying the provider in-band error event', async () => {
    simulator.setFaults([{ type: 'in_band_error', afterTokens: 2 }]);
    const { chunks, error } = await collectFailure(provider.chatStream(request({ stream: true }), call()));
    expect({ kind: error.kind, status: error.status }).toEqual(adapter.inBandError);
    expect(textOf(chunks).length).toBeGreaterThan(0);
  });

  it('answers a slow first token normally', async () => {
    simulator.setFaults([{ type: 'slow_first_token', delayMs: 50 }]);
    expect(textOf(await collect(provider.chatStream(request({ stream: true }), call())))).toBe(expectedText);
  });

  it('reports rate-limit headroom from response headers when the provider sends them', async () => {
    simulator.setFaults([{ type: 'rate_limit_headers_zero', resetSeconds: 30 }]);
    const snapshots: RateLimitSnapshot[] = [];
    await provider.chat(request(), call({ onRateLimit: (snapshot) => snapshots.push(snapshot) }));
    if (!adapter.rateLimitHeaders) {
      expect(snapshots).toEqual([]);
      return;
    }
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.remainingRequests).toBe(0);
    expect(snapshots[0]?.resetAt).toBeGreaterThan(Date.now() + 20_000);
  });
});
