import { afterEach, describe, expect, it } from 'vitest';
import { createLlmClient, type FallbackEvent, type LlmClientOptions } from '../src/client.js';
import type { ChatRequest } from '../src/chat-types.js';
import { AllProvidersFailedError, LlmError, StreamInterruptedError } from '../src/errors.js';
import { continueInstruction, type Fault } from '../src/testing/index.js';
import { drain, expectedText, request, startFleet, summarize } from './helper.js';

type Fleet = Awaited<ReturnType<typeof startFleet>>;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function setup(
  faults: Fault[][],
  options: Partial<LlmClientOptions> & {
    supportsPrefill?: boolean[];
    contextWindows?: Array<Record<string, number>>;
  } = {},
) {
  fleet = await startFleet(faults.length, {
    faults,
    supportsPrefill: options.supportsPrefill,
    contextWindows: options.contextWindows,
  });
  const fallbacks: FallbackEvent[] = [];
  const client = createLlmClient({
    providers: fleet.providers,
    defaultChain: fleet.chain,
    deadlineMs: 10_000,
    retry: { maxRetries: 0 },
    hooks: { onFallback: (event) => fallbacks.push(event) },
    ...options,
  });
  return { client, fleet, fallbacks };
}

describe('non-streamed chat through a chain', () => {
  const httpFaults: Array<[string, Fault, string]> = [
    ['429 with a long Retry-After', { type: 'rate_limit', retryAfterSeconds: 30 }, 'rate_limit'],
    ['persistent 429', { type: 'rate_limit_persistent' }, 'rate_limit'],
    ['503 overloaded', { type: 'overloaded' }, 'overloaded'],
    ['529 overloaded', { type: 'overloaded', status: 529 }, 'overloaded'],
    ['502 bad gateway', { type: 'server_error', status: 502 }, 'server'],
    ['TCP reset before headers', { type: 'reset_before_headers' }, 'network'],
    ['no response', { type: 'no_response' }, 'timeout'],
    ['body cut mid-way', { type: 'cut_after_tokens', tokens: 2 }, 'network'],
    ['malformed JSON body', { type: 'malformed_chunk', afterTokens: 2 }, 'server'],
    ['invalid key', { type: 'auth' }, 'auth'],
    ['unknown model', { type: 'not_found' }, 'not_found'],
  ];

  it.each(httpFaults)('falls over on %s and answers from the next provider', async (_name, fault, kind) => {
    const { client, fallbacks } = await setup([[fault], []]);
    const result = await client.chat(request());
    expect(result.completion.choices[0]?.message.content).toBe(expectedText);
    expect(result.provider).toBe('p1');
    expect(result.usedFallback).toBe(true);
    expect(summarize(result.attempts)).toEqual([`p0:error:${kind}`, 'p1:success']);
    expect(fallbacks.map((event) => [event.from.provider, event.to.provider, event.reason])).toEqual([
      ['p0', 'p1', kind],
    ]);
  });

  it('retries a single 500 on the same provider and answers without fallback', async () => {
    const { client, fleet } = await setup([[{ type: 'server_error', times: 1 }], []], {
      retry: { maxRetries: 2, baseDelayMs: 1 },
    });
    const result = await client.chat(request());
    expect(result.completion.choices[0]?.message.content).toBe(expectedText);
    expect(result.usedFallback).toBe(false);
    expect(summarize(result.attempts)).toEqual(['p0:error:server', 'p0:success']);
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });

  it('returns a bad request to the caller at once, without touching the fallback', async () => {
    const { client, fleet } = await setup([[{ type: 'bad_request' }], []]);
    const error = await client.chat(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('bad_request');
    expect((error as LlmError).status).toBe(400);
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });

  it('falls over when a provider rejects a trailing assistant message (prefill), unlike a real bad request', async () => {
    const { client, fleet } = await setup([[{ type: 'prefill_rejected' }], []]);
    const messages: ChatRequest['messages'] = [
      ...request().messages,
      { role: 'assistant', content: 'Railway switchyards' },
    ];
    const result = await client.chat(request({ messages }));
    expect(summarize(result.attempts)).toEqual(['p0:error:unsupported_feature', 'p1:success']);
    expect(fleet.simulators[1]?.requests).toHaveLength(1);
  });

  it('returns a content-filter refusal at once when the deployment does not fall over on refusals', async () => {
    const { client, fleet } = await setup([[{ type: 'content_filter' }], []], { fallbackOnRefusal: false });
    const error = await client.chat(request()).catch((caught: unknown) => caught);
    expect((error as LlmError).kind).toBe('content_filter');
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });

  it('falls over on context length only to a model with a larger window', async () => {
    const { client } = await setup([[{ type: 'context_length' }], [], []], {
      contextWindows: [{ 'sim-model': 128_000 }, { 'sim-model': 32_000 }, { 'sim-model': 1_000_000 }],
    });
    const result = await client.chat(request());
    expect(result.provider).toBe('p2');
    expect(summarize(result.attempts)).toEqual([
      'p0:error:context_length',
      'p1:skipped:context_window_too_small',
      'p2:success',
    ]);
  });

  it('skips a provider whose breaker an auth failure opened, without calling it again', async () => {
    const { client, fleet } = await setup([[{ type: 'auth' }], []]);
    await client.chat(request());
    const second = await client.chat(request());
    expect(summarize(second.attempts)).toEqual(['p0:skipped:breaker_open', 'p1:success']);
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
    const health = await client.providerHealth();
    expect(health.find((entry) => entry.provider === 'p0')?.state).toBe('open');
    expect(health.find((entry) => entry.provider === 'p1')?.state).toBe('closed');
  });

  it('tries a per-call provider first, with its own breaker, never tripping the shared one', async () => {
    // p0 plays a user's own (rejected) key for the same upstream as the shared p1.
    const { fleet } = await setup([[{ type: 'auth' }], []]);
    const [own, shared] = fleet.providers;
    const clientOnlyShared = createLlmClient({
      providers: [shared!],
      defaultChain: [fleet.chain[1]!],
      deadlineMs: 10_000,
      retry: { maxRetries: 0 },
    });
    const chain = [{ provider: own!.name, model: 'sim-model' }, fleet.chain[1]!];
    const first = await clientOnlyShared.chat(request(), { chain, providers: [own!] });
    expect(summarize(first.attempts)).toEqual(['p0:error:auth', 'p1:success']);
    const second = await clientOnlyShared.chat(request(), { chain, providers: [own!] });
    expect(summarize(second.attempts)).toEqual(['p0:skipped:breaker_open', 'p1:success']);
    const health = await clientOnlyShared.providerHealth();
    expect(health).toEqual([expect.objectContaining({ provider: 'p1', state: 'closed' })]);
    // Without the per-call provider, its chain entry is unknown to the client.
    const without = await clientOnlyShared.chat(request(), { chain });
    expect(summarize(without.attempts)).toEqual(['p0:skipped:provider_not_configured', 'p1:success']);
  });

  it('skips a provider whose rate-limit headers reached zero until their reset', async () => {
    const { client, fleet } = await setup([[{ type: 'rate_limit_headers_zero', resetSeconds: 60 }], []]);
    const first = await client.chat(request());
    expect(first.provider).toBe('p0');
    const second = await client.chat(request());
    expect(summarize(second.attempts)).toEqual(['p0:skipped:rate_limit_headroom', 'p1:success']);
    expect(fleet.simulators[0]?.requests).toHaveLength(1);
  });

  it('opens the breaker of a flapping provider on the failure ratio; every caller still gets an answer', async () => {
    const { client } = await setup([[{ type: 'flapping' }], []], {
      breaker: { failureRatio: 0.5, minimumRequests: 4, failureThreshold: 100 },
    });
    const providersUsed: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const result = await client.chat(request());
      expect(result.completion.choices[0]?.message.content).toBe(expectedText);
      providersUsed.push(result.provider);
    }
    expect(providersUsed.slice(0, 4)).toEqual(['p1', 'p0', 'p1', 'p0']);
    expect(providersUsed.slice(4)).toEqual(['p1', 'p1']);
    expect((await client.providerHealth())[0]?.state).toBe('open');
  });

  it('throws one AllProvidersFailedError listing every attempt when the whole chain fails', async () => {
    const { client } = await setup([
      [{ type: 'server_error' }],
      [{ type: 'rate_limit_persistent' }],
      [{ type: 'auth' }],
    ]);
    const error = await client.chat(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(summarize((error as AllProvidersFailedError).attempts)).toEqual([
      'p0:error:server',
      'p1:error:rate_limit',
      'p2:error:auth',
    ]);
  });

  it('gives every hung provider its share of the deadline and stops at the deadline', async () => {
    const { client } = await setup(
      [[{ type: 'no_response' }], [{ type: 'no_response' }], [{ type: 'no_response' }]],
      { deadlineMs: 600 },
    );
    const startedAt = Date.now();
    const error = await client.chat(request()).catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeLessThan(600 + 150);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(summarize((error as AllProvidersFailedError).attempts)).toEqual([
      'p0:error:timeout',
      'p1:error:timeout',
      'p2:error:timeout',
    ]);
  });

  it('gives the caller its own abort, not a fallback', async () => {
    const { client, fleet } = await setup([[{ type: 'no_response' }], []]);
    const controller = new AbortController();
    const pending = client.chat(request(), { signal: controller.signal });
    await new Promise<void>((resolve) => {
      const check = () => (fleet.simulators[0]!.requests.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });
});

describe('streamed chat: before the first token, failures fall over transparently', () => {
  const faults: Array<[string, Fault]> = [
    ['429', { type: 'rate_limit', retryAfterSeconds: 30 }],
    ['500', { type: 'server_error' }],
    ['503', { type: 'overloaded' }],
    ['TCP reset', { type: 'reset_before_headers' }],
    ['no response', { type: 'no_response' }],
    ['slow first token', { type: 'slow_first_token', delayMs: 5_000 }],
    ['in-band error before any token', { type: 'in_band_error', afterTokens: 0 }],
    ['cut before any token', { type: 'cut_after_tokens', tokens: 0 }],
  ];

  it.each(faults)('%s: the caller sees one clean stream from the fallback', async (_name, fault) => {
    const { client } = await setup([[fault], []]);
    const stream = client.chatStream(request());
    const { chunks, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect(last.x_gateway).toEqual({
      contributors: [{ provider: 'p1', model: 'sim-model' }],
      continued: false,
    });
    const outcome = await stream.outcome;
    expect(outcome.provider).toBe('p1');
    expect(outcome.usedFallback).toBe(true);
    expect(outcome.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'success']);
  });

  it('throws a real bad request before any chunk, without touching the fallback', async () => {
    const { client, fleet } = await setup([[{ type: 'bad_request' }], []]);
    const { chunks, error } = await drain(client.chatStream(request()));
    expect(chunks).toEqual([]);
    expect((error as LlmError).kind).toBe('bad_request');
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });
});

describe('streamed chat: after the first token, the answer continues on the next provider', () => {
  const faults: Array<[string, Fault, string]> = [
    ['connection cut', { type: 'cut_after_tokens', tokens: 3 }, 'network'],
    ['stall past the idle timeout', { type: 'stall_after_tokens', tokens: 3 }, 'timeout'],
    ['malformed chunk', { type: 'malformed_chunk', afterTokens: 3 }, 'server'],
    ['in-band error event', { type: 'in_band_error', afterTokens: 3 }, 'server'],
    ['stream without terminator', { type: 'no_terminator' }, 'network'],
  ];

  it.each(faults)('%s: one coherent answer, both providers credited', async (_name, fault, kind) => {
    const { client, fleet, fallbacks } = await setup([[fault], []]);
    const stream = client.chatStream(request());
    const { chunks, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    expect(chunks.at(-1)?.x_gateway).toEqual({
      contributors: [
        { provider: 'p0', model: 'sim-model' },
        { provider: 'p1', model: 'sim-model' },
      ],
      continued: true,
    });
    const outcome = await stream.outcome;
    expect(summarize(outcome.attempts)).toEqual([`p0:error:${kind}`, 'p1:success']);
    expect(outcome.attempts[1]?.continuation).toBe(true);
    expect(fallbacks[0]?.afterFirstToken).toBe(true);
    // p1 cannot take a prefill, so it was sent the partial answer plus the explicit continue instruction.
    const sent = fleet.simulators[1]?.requests[0]?.body as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: continueInstruction });
    expect(sent.messages.at(-2)?.role).toBe('assistant');
    expect(expectedText.startsWith(sent.messages.at(-2)!.content)).toBe(true);
  });

  it('continues with a prefill where the provider supports one, and past a provider that rejects it', async () => {
    const { client, fleet } = await setup(
      [[{ type: 'cut_after_tokens', tokens: 4 }], [{ type: 'prefill_rejected' }], []],
      { supportsPrefill: [false, true, true] },
    );
    const stream = client.chatStream(request());
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    const outcome = await stream.outcome;
    expect(summarize(outcome.attempts)).toEqual([
      'p0:error:network',
      'p1:error:unsupported_feature',
      'p2:success',
    ]);
    const sent = fleet.simulators[2]?.requests[0]?.body as { messages: Array<{ role: string }> };
    expect(sent.messages.at(-1)?.role).toBe('assistant');
    expect(outcome.contributors.map((entry) => entry.provider)).toEqual(['p0', 'p2']);
  });

  it('ends with an explicit error and no finish when continuation is impossible', async () => {
    const { client } = await setup(
      [[{ type: 'cut_after_tokens', tokens: 4 }], [{ type: 'prefill_rejected' }]],
      { supportsPrefill: [false, true] },
    );
    const stream = client.chatStream(request());
    const { chunks, text, error } = await drain(stream);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(text.length).toBeGreaterThan(0);
    expect(expectedText.startsWith(text)).toBe(true);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    await expect(stream.outcome).rejects.toBeInstanceOf(StreamInterruptedError);
  });

  it('ends with an explicit error when continuation is disabled, never calling the fallback', async () => {
    const { client, fleet } = await setup([[{ type: 'cut_after_tokens', tokens: 3 }], []], {
      continuation: false,
    });
    const { chunks, error } = await drain(client.chatStream(request()));
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).lastError.kind).toBe('network');
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(fleet.simulators[1]?.requests).toHaveLength(0);
  });

  it('streams tool calls and does not try to continue a half-sent tool call', async () => {
    const { client } = await setup([[], []]);
    const tools = [
      { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } },
    ];
    const { chunks, error } = await drain(client.chatStream(request({ tools })));
    expect(error).toBeUndefined();
    const args = chunks
      .map((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '')
      .join('');
    expect(JSON.parse(args)).toEqual({ query: 'Tell me about railway switchyards' });
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe(
      'tool_calls',
    );
  });
});
