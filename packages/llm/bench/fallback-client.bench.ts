import OpenAI from 'openai';
import { createLlmClient } from '../src/client.js';
import { createOpenAICompatibleProvider } from '../src/providers/openai-compatible/index.js';
import { startOpenAISimulator } from '../src/testing/index.js';
import { createPooledFetch } from '../src/transport.js';

// The fallback client vs the bare openai SDK (same pooled transport), and breaker-open fallback vs direct-to-fallback.
const concurrency = 32;
const requestsPerRun = 4_000;
const messages = [{ role: 'user' as const, content: 'Benchmark the switchyard fallback client' }];

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

function print(baseline: Row, candidate: Row, target: string) {
  const format = (row: Row) => `${row.name.padEnd(34)} ${row.rps.toFixed(0).padStart(7)} req/s   p50 ${row.p50.toFixed(2).padStart(7)} ms   p99 ${row.p99.toFixed(2).padStart(7)} ms`;
  console.log(format(baseline));
  console.log(format(candidate));
  console.log(`  throughput ratio ${(candidate.rps / baseline.rps).toFixed(3)}  (cost ${((1 - candidate.rps / baseline.rps) * 100).toFixed(1)}%, target ${target})\n`);
}

async function drainSdkStream(stream: AsyncIterable<unknown>) {
  for await (const _chunk of stream) {
    // consume
  }
}

const primary = await startOpenAISimulator({ record: false, faults: [{ type: 'server_error' }] });
const fallback = await startOpenAISimulator({ record: false });
const timeouts = { connectMs: 2_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 30_000 };
const pool = createPooledFetch({ connections: concurrency, timeouts });
const primaryPool = createPooledFetch({ connections: concurrency, timeouts });
const sdk = new OpenAI({ apiKey: 'sk-bench-000000', baseURL: `${fallback.url}/v1`, fetch: pool, maxRetries: 0, logLevel: 'off' });
const fallbackProvider = createOpenAICompatibleProvider({ id: 'openai', name: 'fallback', apiKey: 'sk-bench-000000', baseUrl: `${fallback.url}/v1`, fetch: pool, timeouts });
const primaryProvider = createOpenAICompatibleProvider({ id: 'openai', name: 'primary', apiKey: 'sk-bench-000000', baseUrl: `${primary.url}/v1`, fetch: primaryPool, timeouts });
const direct = createLlmClient({ providers: [fallbackProvider], defaultChain: [{ provider: 'fallback', model: 'bench-model' }], deadlineMs: 30_000 });
const withOpenBreaker = createLlmClient({
  providers: [primaryProvider, fallbackProvider],
  defaultChain: [
    { provider: 'primary', model: 'bench-model' },
    { provider: 'fallback', model: 'bench-model' },
  ],
  deadlineMs: 30_000,
  retry: { maxRetries: 0 },
  breaker: { failureThreshold: 1, cooldownMs: 3_600_000 },
});
await withOpenBreaker.chat({ model: 'auto', messages });
const health = await withOpenBreaker.providerHealth();
if (health[0]?.state !== 'open') throw new Error('the primary breaker should be open for the bench');

const bareChat = () => sdk.chat.completions.create({ model: 'bench-model', messages });
const bareStream = async () => drainSdkStream(await sdk.chat.completions.create({ model: 'bench-model', messages, stream: true, stream_options: { include_usage: true } }));
const clientChat = () => direct.chat({ model: 'auto', messages });
const clientStream = async () => drainSdkStream(direct.chatStream({ model: 'auto', messages }));

// Warm-up so JIT and pools are equal for both sides.
await measure('warm-up', bareChat);
await measure('warm-up', clientChat);
// The machine is shared and noisy: interleave the two sides and keep each side's best run.
async function compare(title: string, target: string, baselineName: string, baseline: () => Promise<unknown>, candidateName: string, candidate: () => Promise<unknown>) {
  let bestBaseline: Row | undefined;
  let bestCandidate: Row | undefined;
  for (let run = 0; run < 3; run += 1) {
    const baselineRow = await measure(baselineName, baseline);
    const candidateRow = await measure(candidateName, candidate);
    if (!bestBaseline || baselineRow.rps > bestBaseline.rps) bestBaseline = baselineRow;
    if (!bestCandidate || candidateRow.rps > bestCandidate.rps) bestCandidate = candidateRow;
  }
  console.log(title);
  print(bestBaseline!, bestCandidate!, target);
}

console.log(`concurrency ${concurrency}, ${requestsPerRun} requests per run, best of 3 interleaved runs, OpenAI simulator on 127.0.0.1\n`);
await compare('non-stream', '< 10%', 'bare openai SDK (pooled fetch)', bareChat, 'fallback client', clientChat);
await compare('stream', '< 10%', 'bare openai SDK (pooled fetch)', bareStream, 'fallback client', clientStream);
await compare('primary breaker open (non-stream)', '< 5%', 'direct to fallback (client)', clientChat, 'chain, primary breaker open', () =>
  withOpenBreaker.chat({ model: 'auto', messages }),
);

await Promise.all([primary.close(), fallback.close()]);
await Promise.all([pool.close(), primaryPool.close()]);
