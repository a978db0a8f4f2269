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
// bare fetch for Cohere) on the same transport, and what the pooled fetch gains over the default one.
const concurrency = 32;
const requestsPerRun = 3_000;
const request: ChatRequest = { model: 'bench', messages: [{ role: 'user', content: 'Benchmark the switchyard adapters' }] };
const timeouts = { connectMs: 2_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 30_000 };

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
}

async function measure(name: string, call: () => Promise<unknown>): Promise<Row> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requestsPerRun) {
        next += 1;
        const begin = performance.now();
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * quantile))] ?? 0;
  return { name, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

function print(baseline: Row, candidate: Row) {
  const format = (row: Row) => `${row.name.padEnd(44)} ${row.rps.toFixed(0).padStart(7)} req/s   p50 ${row.p50.toFixed(2).padStart(7)} ms   p99 ${row.p99.toFixed(2).padStart(7)} ms`;
  console.log(format(baseline));
  console.log(format(candidate));
  console.log(`  throughput ratio ${(candidate.rps / baseline.rps).toFixed(3)}\n`);
}

async function drain(stream: AsyncIterable<unknown>) {
  for await (const _chunk of stream) {
    // consume
  }
}

const chat = (provider: ChatProvider, model: string) => () => provider.chat(request, { model, signal: AbortSignal.timeout(30_000) });
const stream = (provider: ChatProvider, model: string) => () => drain(provider.chatStream(request, { model, signal: AbortSignal.timeout(30_000) }));

const anthropicSimulator = await startAnthropicSimulator({ record: false });
const geminiSimulator = await startGeminiSimulator({ record: false });
const cohereSimulator = await startCohereSimulator({ record: false });
const pools = [0, 1, 2].map(() => createPooledFetch({ connections: concurrency, timeouts }));
const [anthropicPool, geminiPool, coherePool] = pools as [(typeof pools)[number], (typeof pools)[number], (typeof pools)[number]];

console.log(`concurrency ${concurrency}, ${requestsPerRun} requests per row\n`);

const anthropicSdk = new Anthropic({ apiKey: 'bench', baseURL: anthropicSimulator.url, fetch: anthropicPool, maxRetries: 0, logLevel: 'off' });
const anthropic = createAnthropicProvider({ apiKey: 'bench', baseUrl: anthropicSimulator.url, timeouts, fetch: anthropicPool });
const anthropicDefaultFetch = createAnthropicProvider({ apiKey: 'bench', baseUrl: anthropicSimulator.url, timeouts });
const anthropicParams = { model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Benchmark the switchyard adapters' }] };
print(await measure('anthropic bare SDK, pooled fetch', () => anthropicSdk.messages.create(anthropicParams)), await measure('anthropic adapter, pooled fetch', chat(anthropic, 'claude-haiku-4-5')));
print(
  await measure('anthropic bare SDK stream, pooled fetch', async () => drain(await anthropicSdk.messages.create({ ...anthropicParams, stream: true }))),
  await measure('anthropic adapter stream, pooled fetch', stream(anthropic, 'claude-haiku-4-5')),
);
print(await measure('anthropic adapter, default fetch', chat(anthropicDefaultFetch, 'claude-haiku-4-5')), await measure('anthropic adapter, pooled fetch', chat(anthropic, 'claude-haiku-4-5')));

// The Gemini SDK cannot take a fetch: its bare call always uses the global one.
const geminiModel = new GoogleGenerativeAI('bench').getGenerativeModel({ model: 'gemini-2.5-flash' }, { baseUrl: geminiSimulator.url });
const gemini = createGeminiProvider({ apiKey: 'bench', baseUrl: geminiSimulator.url, timeouts, fetch: geminiPool });
print(await measure('gemini bare SDK (global fetch only)', () => geminiModel.generateContent('Benchmark the switchyard adapters')), await measure('gemini adapter, pooled fetch', chat(gemini, 'gemini-2.5-flash')));
print(
  await measure('gemini bare SDK stream (global fetch only)', async () => {
    const result = await geminiModel.generateContentStream('Benchmark the switchyard adapters');
    await drain(result.stream);
    await result.response;
  }),
  await measure('gemini adapter stream, pooled fetch', stream(gemini, 'gemini-2.5-flash')),
);

const cohere = createCohereProvider({ apiKey: 'bench', baseUrl: cohereSimulator.url, timeouts, fetch: coherePool });
const cohereDefaultFetch = createCohereProvider({ apiKey: 'bench', baseUrl: cohereSimulator.url, timeouts });
const cohereBody = JSON.stringify({ model: 'command-a-03-2025', stream: false, messages: [{ role: 'user', content: 'Benchmark the switchyard adapters' }] });
print(
  await measure('cohere bare fetch + JSON, pooled fetch', async () => {
    const response = await coherePool(`${cohereSimulator.url}/v2/chat`, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: cohereBody });
    await response.json();
  }),
  await measure('cohere adapter, pooled fetch', chat(cohere, 'command-a-03-2025')),
);
print(await measure('cohere adapter stream, default fetch', stream(cohereDefaultFetch, 'command-a-03-2025')), await measure('cohere adapter stream, pooled fetch', stream(cohere, 'command-a-03-2025')));

await Promise.all([anthropicSimulator.close(), geminiSimulator.close(), cohereSimulator.close()]);
await Promise.all(pools.map((pool) => pool.close()));
