import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, ChatRequest } from '../../chat-types.js';
import type { LlmError } from '../../errors.js';
import { startOpenAISimulator, type Simulator } from '../../testing/index.js';
import { createPooledFetch, type PooledFetch } from '../../transport.js';
import { createOpenAICompatibleProvider } from './openai-compatible-chat-provider.js';

const request: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] };
const call = () => ({ model: 'gpt-4o-mini', signal: new AbortController().signal });

async function collect(chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const all: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

describe('OpenAI-wire provider on the pooled transport', () => {
  let simulator: Simulator;
  let pool: PooledFetch;
  let provider: ReturnType<typeof createOpenAICompatibleProvider>;

  beforeAll(async () => {
    simulator = await startOpenAISimulator({ record: true });
    pool = createPooledFetch({ connections: 4, timeouts: { connectMs: 2_000 } });
    provider = createOpenAICompatibleProvider({
      id: 'openai',
      apiKey: 'sk-test-key',
      baseUrl: `${simulator.url}/v1`,
      fetch: pool,
    });
  });
  afterAll(async () => {
    await pool.close();
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  it('reuses its pooled connections for answers and streams one after another', async () => {
    const pair = async () => {
      expect((await provider.chat(request, call())).choices[0]?.message.content).toBeTruthy();
      const chunks = await collect(provider.chatStream({ ...request, stream: true }, call()));
      expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    };
    await pair();
    const warm = simulator.connectionsAccepted();
    for (let index = 0; index < 5; index += 1) await pair();
    expect(simulator.requests).toHaveLength(12);
    expect(simulator.connectionsAccepted()).toBe(warm);
  });

  it('sends the key as a bearer token to {baseUrl}/chat/completions', async () => {
    await provider.chat(request, call());
    expect(simulator.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-test-key' },
    });
  });

  it('classifies an error answer as the SDK would: a 429 is rate_limit with its Retry-After', async () => {
    simulator.setFaults([{ type: 'rate_limit', retryAfterSeconds: 7 }]);
    const error = (await provider.chat(request, call()).catch((thrown: unknown) => thrown)) as LlmError;
    expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterMs: 7_000, provider: 'openai' });
  });

  it('refuses a plain fetch, which would bypass a guarded pool', () => {
    expect(() =>
      createOpenAICompatibleProvider({
        apiKey: 'sk-test-key',
        baseUrl: `${simulator.url}/v1`,
        fetch: globalThis.fetch,
      }),
    ).toThrow(/pooled transport/);
  });
});
