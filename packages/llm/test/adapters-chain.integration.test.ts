import { afterEach, describe, expect, it } from 'vitest';

import type { ChatProvider } from '../src/chat-provider.js';
import { createLlmClient } from '../src/client.js';
import { createAnthropicProvider } from '../src/providers/anthropic/index.js';
import { createCohereProvider } from '../src/providers/cohere/index.js';
import { createGeminiProvider } from '../src/providers/gemini/index.js';
import {
  continueInstruction,
  startAnthropicSimulator,
  startCohereSimulator,
  startGeminiSimulator,
  type Fault,
  type Simulator,
} from '../src/testing/index.js';
import { createPooledFetch, type PooledFetch } from '../src/transport.js';
import { drain, expectedText, request } from './helper.js';

/**
 * The Anthropic, Gemini and Cohere adapters as one chain, each through its SDK or wire format against its own
 * simulator: the caller must get one coherent answer whatever mix of wire formats wrote it.
 */

// Generous: no fault here is a stall, and a loaded CI machine must not turn a healthy provider into a timeout.
const timeouts = { connectMs: 5_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 20_000 };
const chain = [
  { provider: 'anthropic', model: 'claude-haiku-4-5' },
  { provider: 'gemini', model: 'gemini-2.5-flash' },
  { provider: 'cohere', model: 'command-a-03-2025' },
];

interface Setup {
  simulators: { anthropic: Simulator; gemini: Simulator; cohere: Simulator };
  providers: ChatProvider[];
  close: () => Promise<void>;
}

let current: Setup | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function setup(faults: { anthropic?: Fault[]; gemini?: Fault[]; cohere?: Fault[] }): Promise<Setup> {
  const [anthropic, gemini, cohere] = await Promise.all([
    startAnthropicSimulator({ faults: faults.anthropic ?? [] }),
    startGeminiSimulator({ faults: faults.gemini ?? [] }),
    startCohereSimulator({ faults: faults.cohere ?? [] }),
  ]);
  const pools: PooledFetch[] = [0, 1, 2].map(() => createPooledFetch({ connections: 4, timeouts }));
  const providers = [
    createAnthropicProvider({ apiKey: 'sk-ant-chain', baseUrl: anthropic.url, timeouts, fetch: pools[0]! }),
    createGeminiProvider({ apiKey: 'gemini-chain', baseUrl: gemini.url, timeouts, fetch: pools[1]! }),
    createCohereProvider({ apiKey: 'cohere-chain', baseUrl: cohere.url, timeouts, fetch: pools[2]! }),
  ];
  current = {
    simulators: { anthropic, gemini, cohere },
    providers,
    close: async () => {
      await Promise.all([anthropic.close(), gemini.close(), cohere.close()]);
      await Promise.all(pools.map((pool) => pool.close()));
    },
  };
  return current;
}

function client(providers: ChatProvider[]) {
  return createLlmClient({ providers, defaultChain: chain, deadlineMs: 30_000, retry: { maxRetries: 0 } });
}

const summary = (attempts: Array<{ provider: string; outcome: string; errorKind?: string }>) =>
  attempts.map(
    (attempt) => `${attempt.provider}:${attempt.outcome}${attempt.errorKind ? `:${attempt.errorKind}` : ''}`,
  );

describe('a chain of Anthropic, Gemini and Cohere', () => {
  it('falls over Anthropic 429 and Gemini 503 to a Cohere answer', async () => {
    const { providers } = await setup({
      anthropic: [{ type: 'rate_limit', retryAfterSeconds: 30 }],
      gemini: [{ type: 'overloaded' }],
    });
    const result = await client(providers).chat(request());
    expect(result.completion.choices[0]?.message.content).toBe(expectedText);
    expect(summary(result.attempts)).toEqual([
      'anthropic:error:rate_limit',
      'gemini:error:overloaded',
      'cohere:success',
    ]);
  });

  it('continues a stream cut on Anthropic with a Gemini prefill: one coherent answer', async () => {
    const { providers, simulators } = await setup({ anthropic: [{ type: 'cut_after_tokens', tokens: 3 }] });
    const stream = client(providers).chatStream(request());
    const { text, error, chunks } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    expect(
      chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean),
    ).toEqual(['stop']);
    const outcome = await stream.outcome;
    expect(outcome.contributors.map((entry) => entry.provider)).toEqual(['anthropic', 'gemini']);
    const sent = simulators.gemini.requests[0]?.body as {
      contents: Array<{ role: string; parts: Array<{ text: string }> }>;
    };
    expect(sent.contents.at(-1)?.role).toBe('model');
    expect(expectedText.startsWith(sent.contents.at(-1)!.parts[0]!.text)).toBe(true);
  });

  it('continues past an in-band Anthropic error and a Gemini that rejects the prefill, on Cohere with the continue instruction', async () => {
    const { providers, simulators } = await setup({
      anthropic: [{ type: 'in_band_error', afterTokens: 4 }],
      gemini: [{ type: 'prefill_rejected' }],
    });
    const stream = client(providers).chatStream(request());
    const { text, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe(expectedText);
    const outcome = await stream.outcome;
    expect(summary(outcome.attempts)).toEqual([
      'anthropic:error:overloaded',
      'gemini:error:unsupported_feature',
      'cohere:success',
    ]);
    expect(outcome.contributors.map((entry) => entry.provider)).toEqual(['anthropic', 'cohere']);
    const sent = simulators.cohere.requests[0]?.body as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: continueInstruction });
    expect(sent.messages.at(-2)?.role).toBe('assistant');
  });
});
