import { afterEach, describe, expect, it } from 'vitest';
import type { ChatProvider } from '../src/chat-provider.js';
import { createLlmClient, type LlmClientOptions } from '../src/client.js';
import { AllProvidersFailedError, LlmError } from '../src/errors.js';
import { createGeminiProvider } from '../src/providers/gemini/index.js';
import { createOpenAICompatibleProvider } from '../src/providers/openai-compatible/index.js';
import {
  splitTokens,
  startGeminiSimulator,
  startOpenAISimulator,
  type Fault,
  type Simulator,
} from '../src/testing/index.js';
import { createPooledFetch, type PooledFetch } from '../src/transport.js';
import { drain, expectedText, fastTimeouts, request, summarize } from './helper.js';

// A content-policy refusal is not a server failure: the next provider answers it (by default), and when none does
// the caller gets the refusal itself (`content_filter`, naming the provider's reason), never "all providers failed".
// A refusal in the middle of a stream ends it with finish_reason content_filter, as OpenAI does.

const timeouts = { ...fastTimeouts, firstTokenMs: 5_000, totalMs: 10_000 };

interface Setup {
  simulators: Simulator[];
  close(): Promise<void>;
}
let current: Setup | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** A chain of simulators, each of the given wire format: `gemini` or `openai`, named by position (`p0`, `p1`...). */
async function setup(
  links: Array<{ wire: 'openai' | 'gemini'; faults?: Fault[] }>,
  options: Partial<LlmClientOptions> = {},
) {
  const simulators: Simulator[] = [];
  const pools: PooledFetch[] = [];
  const providers: ChatProvider[] = [];
  for (const [index, link] of links.entries()) {
    const start = link.wire === 'gemini' ? startGeminiSimulator : startOpenAISimulator;
    const simulator = await start({ faults: link.faults ?? [] });
    const fetch = createPooledFetch({ connections: 4, timeouts });
    simulators.push(simulator);
    pools.push(fetch);
    const common = { name: `p${index}`, apiKey: 'sk-refusal-test', fetch, timeouts };
    providers.push(
      link.wire === 'gemini'
        ? createGeminiProvider({ ...common, baseUrl: simulator.url })
        : createOpenAICompatibleProvider({ ...common, baseUrl: `${simulator.url}/v1` }),
    );
  }
  current = {
    simulators,
    close: async () => {
      await Promise.all(simulators.map((simulator) => simulator.close()));
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
  const client = createLlmClient({
    providers,
    defaultChain: providers.map((provider, index) => ({
      provider: provider.name,
      model: links[index]?.wire === 'gemini' ? 'gemini-2.5-flash' : 'sim-model',
    })),
    deadlineMs: 20_000,
    retry: { maxRetries: 0 },
    ...options,
  });
  return { client, simulators };
}

const refusals: Array<[string, 'openai' | 'gemini', Fault]> = [
  ['OpenAI 400 content_filter', 'openai', { type: 'content_filter' }],
  [
    'OpenAI finish_reason content_filter before any content',
    'openai',
    { type: 'content_filter_after_tokens', tokens: 0 },
  ],
  ['Gemini promptFeedback.blockReason SAFETY', 'gemini', { type: 'content_filter' }],
  [
    'Gemini finishReason SAFETY before any content',
    'gemini',
    { type: 'content_filter_after_tokens', tokens: 0 },
  ],
];

describe('a refusal before any content', () => {
  it.each(refusals)('%s (JSON): the next provider answers', async (_name, wire, fault) => {
    const { client } = await setup([{ wire, faults: [fault] }, { wire: 'openai' }]);
    const result = await client.chat(request());
    expect(result.completion.choices[0]?.message.content).toBe(expectedText);
    expect(summarize(result.attempts)).toEqual(['p0:error:content_filter', 'p1:success']);
  });

  it.each(refusals)(
    '%s (stream): the caller sees one clean stream from the next provider',
    async (_name, wire, fault) => {
      const { client } = await setup([{ wire, faults: [fault] }, { wire: 'openai' }]);
      const stream = client.chatStream(request());
      const { chunks, text, error } = await drain(stream);
      expect(error).toBeUndefined();
      expect(text).toBe(expectedText);
      expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
      expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'content_filter')).toBe(false);
      expect(summarize((await stream.outcome).attempts)).toEqual(['p0:error:content_filter', 'p1:success']);
    },
  );

  it.each(refusals)(
    '%s, refused everywhere: the refusal itself, naming the reason',
    async (_name, wire, fault) => {
      const { client } = await setup([
        { wire, faults: [fault] },
        { wire: 'openai', faults: [{ type: 'content_filter' }] },
      ]);
      for (const error of [
        await client.chat(request()).catch((caught: unknown) => caught),
        (await drain(client.chatStream(request()))).error,
      ]) {
        expect(error).toBeInstanceOf(LlmError);
        expect(error).not.toBeInstanceOf(AllProvidersFailedError);
        expect((error as LlmError).kind).toBe('content_filter');
        expect((error as LlmError).message).toMatch(
          wire === 'gemini'
            ? /^Provider p0 refused the content under its content policy \(SAFETY\)\.$/
            : /^Provider p0 refused the content under its content policy \(content_filter\)\.$/,
        );
      }
    },
  );

  it('a refusal and then a server failure: the caller gets the refusal, not a 502', async () => {
    const { client } = await setup([
      { wire: 'openai', faults: [{ type: 'content_filter' }] },
      { wire: 'openai', faults: [{ type: 'server_error' }] },
    ]);
    const error = await client.chat(request()).catch((caught: unknown) => caught);
    expect((error as LlmError).kind).toBe('content_filter');
  });

  it('with fallbackOnRefusal off, a streamed refusal is returned at once, before any chunk', async () => {
    const { client, simulators } = await setup(
      [{ wire: 'gemini', faults: [{ type: 'content_filter' }] }, { wire: 'openai' }],
      { fallbackOnRefusal: false },
    );
    const { chunks, error } = await drain(client.chatStream(request()));
    expect(chunks).toEqual([]);
    expect((error as LlmError).kind).toBe('content_filter');
    expect(simulators[1]?.requests).toHaveLength(0);
  });

  it('refusals never move a breaker: the provider keeps serving', async () => {
    const { client, simulators } = await setup(
      [{ wire: 'openai', faults: [{ type: 'content_filter', times: 10 }] }, { wire: 'openai' }],
      { breaker: { failureThreshold: 2 } },
    );
    for (let index = 0; index < 10; index += 1) await client.chat(request());
    expect((await client.chat(request())).provider).toBe('p0');
    expect(simulators[0]?.requests).toHaveLength(11);
    expect((await client.providerHealth())[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });
});

describe('a refusal after the first token', () => {
  const partial = splitTokens(expectedText).slice(0, 3).join('');

  it.each<['openai' | 'gemini']>([['openai'], ['gemini']])(
    '%s: the stream ends with finish_reason content_filter, no error and no fallback',
    async (wire) => {
      const { client, simulators } = await setup([
        { wire, faults: [{ type: 'content_filter_after_tokens', tokens: 3 }] },
        { wire: 'openai' },
      ]);
      const stream = client.chatStream(request());
      const { chunks, text, error } = await drain(stream);
      expect(error).toBeUndefined();
      expect(text).toBe(partial);
      expect(
        chunks
          .filter((chunk) => chunk.choices[0]?.finish_reason)
          .map((chunk) => chunk.choices[0]?.finish_reason),
      ).toEqual(['content_filter']);
      expect(chunks.at(-1)?.usage).toBeDefined();
      expect((await stream.outcome).provider).toBe('p0');
      expect(simulators[1]?.requests).toHaveLength(0);
    },
  );

  it('an adapter that raises the refusal mid-stream: the answer ends refused, never continued elsewhere', async () => {
    const { client, simulators } = await setup([{ wire: 'openai' }, { wire: 'openai' }]);
    const chunk = (delta: { role?: 'assistant'; content?: string }) => ({
      id: 'chatcmpl-refused',
      object: 'chat.completion.chunk' as const,
      created: 1,
      model: 'sim-model',
      choices: [{ index: 0, delta, finish_reason: null }],
    });
    const refusing: ChatProvider = {
      id: 'openai-compatible',
      name: 'refusing',
      supportsPrefill: false,
      timeouts,
      contextWindow: () => undefined,
      chat: () => Promise.reject(new Error('not used')),
      async *chatStream() {
        yield await Promise.resolve(chunk({ role: 'assistant', content: 'Once upon' }));
        yield chunk({ content: ' a time' });
        throw new LlmError('Provider refusing refused the content under its content policy.', {
          kind: 'content_filter',
          provider: 'refusing',
        });
      },
    };
    const stream = client.chatStream(request(), {
      providers: [refusing],
      chain: [
        { provider: 'refusing', model: 'sim-model' },
        { provider: 'p1', model: 'sim-model' },
      ],
    });
    const { chunks, text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe('Once upon a time');
    expect(chunks.find((item) => item.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe(
      'content_filter',
    );
    expect(simulators[1]?.requests).toHaveLength(0);
    expect((await stream.outcome).contributors).toEqual([{ provider: 'refusing', model: 'sim-model' }]);
  });

  it('JSON: a partly filtered answer is returned as the provider ended it', async () => {
    const { client } = await setup([
      { wire: 'openai', faults: [{ type: 'content_filter_after_tokens', tokens: 3 }] },
      { wire: 'openai' },
    ]);
    const result = await client.chat(request());
    expect(result.provider).toBe('p0');
    expect(result.completion.choices[0]).toMatchObject({
      finish_reason: 'content_filter',
      message: { content: partial },
    });
  });
});
