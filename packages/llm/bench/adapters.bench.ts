import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenerativeAI } from '@google/generative-ai';

import type { ChatProvider } from '../src/chat-provider.js';
import type { ChatRequest } from '../src/chat-types.js';
import { createAnthropicProvider } from '../src/providers/anthropic/index.js';
import { createCohereProvider } from '../src/providers/cohere/index.js';
import { createGeminiProvider } from '../src/providers/gemini/index.js';
import { startAnthropicSimulator, startCohereSimulator, startGeminiSimulator } from '../src/testing/index.js';
import { createPooledFetch } from '../src/transport.js';

// The Anthropic, Gemini and Cohere adapters against their simulators: what the adapter costs over the bare SDK (or
// bare fetch for Cohere) on the same transport and with the same abort signal, and what the pooled fetch gains over
// the default one. Both sides of a row pair run in alternating rounds, so other load on the machine hits both alike.
const concurrency = 32;
const requestsPerRun = 3_000;
const request: ChatRequest = {
  model: 'bench',
  messages: [{ role: 'user', content: 'Benchmark the switchyard adapters' }],
};
const timeouts = { connectMs: 2_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 30_000 };

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
}

interface Sample {
  latencies: number[];
  seconds: number;
}

async function run(call: () => Promise<unknown>, requests: number, sample: Sample): Promise<void> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next += 1;
        const begin = performance.now();
        await call();
        sample.latencies.push(performance.now() - begin);
      }
    }),
  );
  sample.seconds += (performance.now() - started) / 1000;
}

function row(name: string, sample: Sample): Row {
  const sorted = [...sample.latencies].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))] ?? 0;
  return { name, rps: sorted.length / sample.seconds, p50: at(0.5), p99: at(0.99) };
}

function print(baseline: Row, candidate: Row) {
  const format = (line: Row) =>
    `${line.name.padEnd(44)} ${line.rps.toFixed(0).padStart(7)} req/s   p50 ${line.p50.toFixed(2).padStart(7)} ms   p99 ${line.p99.toFixed(2).padStart(7)} ms`;
  console.log(format(baseline));
  console.log(format(candidate));
  console.log(`  throughput ratio ${(candidate.rps / baseline.rps).toFixed(3)}\n`);
}

/** Runs both sides in alternating rounds, so load from other processes hits both alike; prints them and the ratio. */
async function compare(
  baselineName: string,
  baseline: () => Promise<unknown>,
  candidateName: string,
  candidate: () => Promise<unknown>,
) {
  const rounds = 6;
  const baselineSample: Sample = { latencies: [], seconds: 0 };
  const candidateSample: Sample = { latencies: [], seconds: 0 };
  await run(baseline, 200, { latencies: [], seconds: 0 });
  await run(candidate, 200, { latencies: [], seconds: 0 });
  for (let round = 0; round < rounds; round += 1) {
    await run(baseline, requestsPerRun / rounds, baselineSample);
    await run(candidate, requestsPerRun / rounds, candidateSample);
  }
  print(row(baselineName, baselineSample), row(candidateName, candidateSample));
}

async function drain(stream: AsyncIterable<unknown>) {
  for await (const _chunk of stream) {
    // consume
  }
}

const chat = (provider: ChatProvider, model: string) => () =>
  provider.chat(request, { model, signal: AbortSignal.timeout(30_000) });
const stream = (provider: ChatProvider, model: string) => () =>
  drain(provider.chatStream(request, { model, signal: AbortSignal.timeout(30_000) }));

const anthropicSimulator = await startAnthropicSimulator({ record: false });
const geminiSimulator = await startGeminiSimulator({ record: false });
const cohereSimulator = await startCohereSimulator({ record: false });
const pools = [0, 1, 2].map(() => createPooledFetch({ connections: concurrency, timeouts }));
const [anthropicPool, geminiPool, coherePool] = pools as [
  (typeof pools)[number],
  (typeof pools)[number],
  (typeof pools)[number],
];

console.log(`concurrency ${concurrency}, ${requestsPerRun} requests per row\n`);

const anthropicSdk = new Anthropic({
  apiKey: 'bench',
  baseURL: anthropicSimulator.url,
  fetch: anthropicPool,
  maxRetries: 0,
  logLevel: 'off',
});
const anthropic = createAnthropicProvider({
  apiKey: 'bench',
  baseUrl: anthropicSimulator.url,
  timeouts,
  fetch: anthropicPool,
});
const anthropicDefaultFetch = createAnthropicProvider({
  apiKey: 'bench',
  baseUrl: anthropicSimulator.url,
  timeouts,
});
const anthropicParams = {
  model: 'claude-haiku-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: 'Benchmark the switchyard adapters' }],
};
await compare(
  'anthropic bare SDK, pooled fetch',
  () => anthropicSdk.messages.create(anthropicParams, { signal: AbortSignal.timeout(30_000) }),
  'anthropic adapter, pooled fetch',
  chat(anthropic, 'claude-haiku-4-5'),
);
await compare(
  'anthropic bare SDK stream, pooled fetch',
  async () =>
    drain(
      await anthropicSdk.messages.create(
        { ...anthropicParams, stream: true },
        { signal: AbortSignal.timeout(30_000) },
      ),
    ),
  'anthropic adapter stream, pooled fetch',
  stream(anthropic, 'claude-haiku-4-5'),
);
await compare(
  'anthropic adapter, default fetch',
  chat(anthropicDefaultFetch, 'claude-haiku-4-5'),
  'anthropic adapter, pooled fetch',
  chat(anthropic, 'claude-haiku-4-5'),
);

// The Gemini SDK cannot take a fetch: its bare call always uses the global one.
const geminiModel = new GoogleGenerativeAI('bench').getGenerativeModel(
  { model: 'gemini-2.5-flash' },
  { baseUrl: geminiSimulator.url },
);
const gemini = createGeminiProvider({
  apiKey: 'bench',
  baseUrl: geminiSimulator.url,
  timeouts,
  fetch: geminiPool,
});
await compare(
  'gemini bare SDK (global fetch only)',
  () =>
    geminiModel.generateContent('Benchmark the switchyard adapters', { signal: AbortSignal.timeout(30_000) }),
  'gemini adapter, pooled fetch',
  chat(gemini, 'gemini-2.5-flash'),
);
await compare(
  'gemini bare SDK stream (global fetch only)',
  async () => {
    const result = await geminiModel.generateContentStream('Benchmark the switchyard adapters', {
      signal: AbortSignal.timeout(30_000),
    });
    await drain(result.stream);
    await result.response;
  },
  'gemini adapter stream, pooled fetch',
  stream(gemini, 'gemini-2.5-flash'),
);

const cohere = createCohereProvider({
  apiKey: 'bench',
  baseUrl: cohereSimulator.url,
  timeouts,
  fetch: coherePool,
});
const cohereDefaultFetch = createCohereProvider({ apiKey: 'bench', baseUrl: cohereSimulator.url, timeouts });
const cohereBody = JSON.stringify({
  model: 'command-a-03-2025',
  stream: false,
  messages: [{ role: 'user', content: 'Benchmark the switchyard adapters' }],
});
await compare(
  'cohere bare fetch + JSON, pooled fetch',
  async () => {
    const response = await coherePool(`${cohereSimulator.url}/v2/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
      body: cohereBody,
      signal: AbortSignal.timeout(30_000),
    });
    await response.json();
  },
  'cohere adapter, pooled fetch',
  chat(cohere, 'command-a-03-2025'),
);
await compare(
  'cohere adapter stream, default fetch',
  stream(cohereDefaultFetch, 'command-a-03-2025'),
  'cohere adapter stream, pooled fetch',
  stream(cohere, 'command-a-03-2025'),
);

await Promise.all([anthropicSimulator.close(), geminiSimulator.close(), cohereSimulator.close()]);
await Promise.all(pools.map((pool) => pool.close()));
