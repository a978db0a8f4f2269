import type { ProviderTimeouts } from '../src/chat-provider.js';
import type { ChatCompletionChunk, ChatRequest } from '../src/chat-types.js';
import type { ChatStream } from '../src/client.js';
import { createOpenAICompatibleProvider } from '../src/providers/openai-compatible/index.js';
import { createPooledFetch, type PooledFetch } from '../src/transport.js';
import { defaultAnswerText, startOpenAISimulator, type Fault, type Simulator } from '../src/testing/index.js';

/** Small timeouts so fault tests finish fast. */
export const fastTimeouts: ProviderTimeouts = {
  connectMs: 1_000,
  firstTokenMs: 400,
  idleMs: 300,
  totalMs: 2_000,
};

/** N OpenAI simulators, each wrapped as a differently named provider `p0`, `p1`, ... */
export async function startFleet(
  count: number,
  options: {
    faults?: Fault[][];
    supportsPrefill?: boolean[];
    contextWindows?: Array<Record<string, number>>;
    timeouts?: ProviderTimeouts;
    connections?: number;
  } = {},
) {
  const simulators: Simulator[] = [];
  const pools: PooledFetch[] = [];
  for (let index = 0; index < count; index += 1)
    simulators.push(await startOpenAISimulator({ faults: options.faults?.[index] ?? [] }));
  const providers = simulators.map((simulator, index) => {
    const fetch = createPooledFetch({
      connections: options.connections ?? 16,
      timeouts: options.timeouts ?? fastTimeouts,
    });
    pools.push(fetch);
    return createOpenAICompatibleProvider({
      name: `p${index}`,
      apiKey: 'sk-test-key-000000',
      baseUrl: `${simulator.url}/v1`,
      fetch,
      timeouts: options.timeouts ?? fastTimeouts,
      supportsPrefill: options.supportsPrefill?.[index] ?? false,
      contextWindows: options.contextWindows?.[index] ?? { 'sim-model': 8_192 },
    });
  });
  return {
    simulators,
    providers,
    chain: providers.map((provider) => ({ provider: provider.name, model: 'sim-model' })),
    async close() {
      await Promise.all(simulators.map((simulator) => simulator.close()));
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
}

export const prompt = 'Tell me about railway switchyards';

export function request(extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'auto', messages: [{ role: 'user', content: prompt }], ...extra };
}

/** The answer every simulator gives to `prompt`. */
export const expectedText = defaultAnswerText({
  model: 'sim-model',
  stream: false,
  prompt,
  hasPrefill: false,
  promptText: prompt,
});

/** Drains a stream; returns the chunks and the error that ended it, if any. */
export async function drain(
  stream: ChatStream,
): Promise<{ chunks: ChatCompletionChunk[]; text: string; error: unknown }> {
  const chunks: ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (caught) {
    error = caught;
  }
  const text = chunks
    .map((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '').join(''))
    .join('');
  return { chunks, text, error };
}
