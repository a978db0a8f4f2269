import { afterEach, expect } from 'vitest';
import type { ProviderTimeouts } from '../src/chat-provider.js';
import type { ChatCompletionChunk, ChatRequest } from '../src/chat-types.js';
import {
  createLlmClient,
  type ChatResult,
  type ChatStream,
  type LlmClient,
  type LlmClientOptions,
} from '../src/client.js';
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
    /** One for every provider, or one per provider. */
    timeouts?: ProviderTimeouts | ProviderTimeouts[];
    connections?: number;
  } = {},
) {
  const simulators: Simulator[] = [];
  const pools: PooledFetch[] = [];
  for (let index = 0; index < count; index += 1)
    simulators.push(await startOpenAISimulator({ faults: options.faults?.[index] ?? [] }));
  const providers = simulators.map((simulator, index) => {
    const timeouts =
      (Array.isArray(options.timeouts) ? options.timeouts[index] : options.timeouts) ?? fastTimeouts;
    const fetch = createPooledFetch({ connections: options.connections ?? 16, timeouts });
    pools.push(fetch);
    return createOpenAICompatibleProvider({
      name: `p${index}`,
      apiKey: 'sk-test-key-000000',
      baseUrl: `${simulator.url}/v1`,
      fetch,
      timeouts,
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

/** One line per attempt, `provider:outcome[:errorKind][:skipReason][:hedged]`, for comparing whole walks. */
export function summarize(
  attempts: Array<{
    provider: string;
    outcome: string;
    errorKind?: string;
    skipReason?: string;
    hedged?: boolean;
  }>,
): string[] {
  return attempts.map(
    (attempt) =>
      `${attempt.provider}:${attempt.outcome}${attempt.errorKind ? `:${attempt.errorKind}` : ''}${attempt.skipReason ? `:${attempt.skipReason}` : ''}${attempt.hedged ? ':hedged' : ''}`,
  );
}

/** A fleet of `startFleet` per test, closed after it. */
export type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * Registers the closing of each test's fleets and returns `setup`: a fleet with the given faults and a client over
 * it (deadline 10 s, then `defaults`, then the test's own options).
 */
export function fleetPerTest(defaults: Partial<LlmClientOptions> = {}) {
  const fleets: Fleet[] = [];
  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((fleet) => fleet.close()));
  });
  return async (
    faults: Fault[][],
    options: Partial<LlmClientOptions> = {},
    fleetOptions: Omit<Parameters<typeof startFleet>[1] & object, 'faults'> = {},
  ) => {
    const fleet = await startFleet(faults.length, { faults, ...fleetOptions });
    fleets.push(fleet);
    const client = createLlmClient({
      providers: fleet.providers,
      defaultChain: fleet.chain,
      deadlineMs: 10_000,
      ...defaults,
      ...options,
    });
    return { client, fleet };
  };
}

/** A primary that fails once, then answers its half-open probe slowly: others find the probe slot taken meanwhile. */
export const failsThenSlowProbe: Fault[] = [
  { type: 'server_error', times: 1 },
  { type: 'slow_first_token', delayMs: 300, times: 1 },
];

/**
 * With a breaker that opens on one failure and cools down at once: fails p0 once through `client`, waits until its
 * breaker is half-open, starts the probe and waits until p0's simulator has it. Returns the probe's answer.
 */
export async function probeInFlight(
  client: LlmClient,
  primary: Simulator,
): Promise<{ probe: Promise<ChatResult> }> {
  await client.chat(request());
  await expect.poll(async () => (await client.providerHealth())[0]?.state).toBe('half_open');
  const before = primary.requests.length;
  const probe = client.chat(request());
  probe.catch(() => undefined);
  await expect.poll(() => primary.requests.length).toBe(before + 1);
  return { probe };
}
