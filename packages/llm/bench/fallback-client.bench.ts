import { fork } from 'node:child_process';
import { once } from 'node:events';
import OpenAI from 'openai';
import { createLlmClient } from '../src/client.js';
import { createOpenAICompatibleProvider } from '../src/providers/openai-compatible/index.js';
import { createPooledFetch } from '../src/transport.js';

// The fallback client vs the bare openai SDK (same pooled transport), and breaker-open fallback vs direct-to-fallback.
// The simulator runs in a child process; both sides are warmed up, then measured in alternating rounds (A, B, A, B...)
// and each side reports the median of its rounds, so load on a shared machine hits both sides alike.
const concurrency = 32;
const requestsPerRound = 2_000;
const rounds = 7;
const messages = [{ role: 'user' as const, content: 'Benchmark the switchyard fallback client' }];

interface Row {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of this process (the client side only: the simulator has its own) per request, in µs. */
  cpuUs: number;
}

async function measure(call: () => Promise<unknown>, requests = requestsPerRound): Promise<Row> {
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next += 1;
        const begin = performance.now();
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * quantile))] ?? 0;
  return {
    rps: latencies.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    cpuUs: (cpu.user + cpu.system) / latencies.length,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const medianRow = (rows: Row[]): Row => ({
  rps: median(rows.map((row) => row.rps)),
  p50: median(rows.map((row) => row.p50)),
  p99: median(rows.map((row) => row.p99)),
  cpuUs: median(rows.map((row) => row.cpuUs)),
});

async function compare(
  title: string,
  target: string,
  baselineName: string,
  baseline: () => Promise<unknown>,
  candidateName: string,
  candidate: () => Promise<unknown>,
) {
  await measure(baseline);
  await measure(candidate);
  const baselineRows: Row[] = [];
  const candidateRows: Row[] = [];
  for (let round = 0; round < rounds; round += 1) {
    baselineRows.push(await measure(baseline));
    candidateRows.push(await measure(candidate));
  }
  const base = medianRow(baselineRows);
  const cand = medianRow(candidateRows);
  const perRound = baselineRows
    .map((row, index) => ((candidateRows[index]?.rps ?? 0) / row.rps).toFixed(2))
    .join(' ');
  const format = (name: string, row: Row) =>
    `${name.padEnd(30)} ${row.rps.toFixed(0).padStart(6)} req/s   p50 ${row.p50.toFixed(2).padStart(6)} ms   p99 ${row.p99.toFixed(2).padStart(6)} ms   cpu ${row.cpuUs.toFixed(0).padStart(4)} µs/req`;
  console.log(title);
  console.log(format(baselineName, base));
  console.log(format(candidateName, cand));
  console.log(
    `  throughput ratio ${(cand.rps / base.rps).toFixed(3)} (cost ${((1 - cand.rps / base.rps) * 100).toFixed(1)}%, target ${target}); per-round ${perRound}`,
  );
  console.log(
    `  client CPU per request ratio ${(cand.cpuUs / base.cpuUs).toFixed(3)} (less sensitive to other load on the machine)\n`,
  );
}

async function drainSdkStream(stream: AsyncIterable<unknown>) {
  for await (const _chunk of stream) {
    // consume
  }
}

const simulators = fork(new URL('./simulator-process.ts', import.meta.url));
const [urls] = (await once(simulators, 'message')) as [{ primary: string; fallback: string }];
const timeouts = { connectMs: 2_000, firstTokenMs: 10_000, idleMs: 10_000, totalMs: 30_000 };
const pool = createPooledFetch({ connections: concurrency, timeouts });
const primaryPool = createPooledFetch({ connections: concurrency, timeouts });
const sdk = new OpenAI({
  apiKey: 'sk-bench-000000',
  baseURL: `${urls.fallback}/v1`,
  fetch: pool,
  maxRetries: 0,
  logLevel: 'off',
});
const fallbackProvider = createOpenAICompatibleProvider({
  id: 'openai',
  name: 'fallback',
  apiKey: 'sk-bench-000000',
  baseUrl: `${urls.fallback}/v1`,
  fetch: pool,
  timeouts,
});
const primaryProvider = createOpenAICompatibleProvider({
  id: 'openai',
  name: 'primary',
  apiKey: 'sk-bench-000000',
  baseUrl: `${urls.primary}/v1`,
  fetch: primaryPool,
  timeouts,
});
const direct = createLlmClient({
  providers: [fallbackProvider],
  defaultChain: [{ provider: 'fallback', model: 'bench-model' }],
  deadlineMs: 30_000,
});
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
const bareStream = async () =>
  drainSdkStream(
    await sdk.chat.completions.create({
      model: 'bench-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
const clientChat = () => direct.chat({ model: 'auto', messages });
const clientStream = () => drainSdkStream(direct.chatStream({ model: 'auto', messages }));

// JIT and pools warm for every path before any round counts.
for (const call of [bareChat, clientChat, bareStream, clientStream]) await measure(call, 4_000);

console.log(
  `concurrency ${concurrency}, ${rounds} alternating rounds of ${requestsPerRound} requests per side, medians; OpenAI simulator in a child process\n`,
);
await compare(
  'non-stream',
  '< 10%',
  'bare openai SDK (pooled fetch)',
  bareChat,
  'fallback client',
  clientChat,
);
await compare(
  'stream',
  '< 10%',
  'bare openai SDK (pooled fetch)',
  bareStream,
  'fallback client',
  clientStream,
);
await compare(
  'primary breaker open (non-stream)',
  '< 5%',
  'direct to fallback (client)',
  clientChat,
  'chain, primary breaker open',
  () => withOpenBreaker.chat({ model: 'auto', messages }),
);

simulators.disconnect();
await Promise.all([pool.close(), primaryPool.close()]);
