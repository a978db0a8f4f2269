import { fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createLlmClient, type LlmClientOptions } from '../src/client.js';
import { createOpenAICompatibleProvider } from '../src/providers/openai-compatible/index.js';
import { createPooledFetch, type PooledFetch } from '../src/transport.js';

// Time to first token (TTFT) of streams through the fallback client, side by side in one run: a healthy primary, a
// hung one, and one whose first token takes 3 s in 20 % of calls with hedging off and on. Upstream latencies are
// modelled in the simulators (ttft-simulator-process.ts): primary 300-500 ms, fallback 30-60 ms. Every scenario gets
// a fresh client (its own breakers and first-token statistics) and its own connection pools.
// `--requests` (default 400) measured requests per scenario, `--concurrency` (default 16) at a time. Scenarios of a
// healthy or sometimes-slow primary first run 40 unmeasured requests on the same client, so sockets are open and
// `auto` has learned the primary's first tokens (it needs 20): the rows are the steady state. The hung primary is
// measured from its first request (breaker closed), the moment that matters.
const { values: args } = parseArgs({
  options: { requests: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' } },
});
const requests = Number(args.requests);
const concurrency = Number(args.concurrency);
/** The defaults a deployment gets: first token 10 s, deadline 60 s. */
const timeouts = { connectMs: 5_000, firstTokenMs: 10_000, idleMs: 15_000, totalMs: 45_000 };
const deadlineMs = 60_000;
const fixedHedgeMs = 550;
const warmupRequests = 40;
const messages = [{ role: 'user' as const, content: 'Benchmark the time to first token' }];

interface Row {
  name: string;
  p50: number;
  p99: number;
  /** Upstream calls beyond one per request (hedges, fallbacks), as a share of requests. */
  extraCalls: number;
  failed: number;
}

const at = (sorted: number[], quantile: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * quantile))] ?? Number.NaN;

async function scenario(
  name: string,
  primaryUrl: string,
  options: Partial<LlmClientOptions> = {},
  warmup = warmupRequests,
): Promise<Row> {
  const pools: PooledFetch[] = [];
  const provider = (providerName: string, url: string) => {
    const fetch = createPooledFetch({ connections: concurrency * 2, timeouts });
    pools.push(fetch);
    return createOpenAICompatibleProvider({
      id: 'openai',
      name: providerName,
      apiKey: 'sk-bench-000000',
      baseUrl: `${url}/v1`,
      fetch,
      timeouts,
    });
  };
  let upstreamCalls = 0;
  const client = createLlmClient({
    providers: [provider('primary', primaryUrl), provider('fallback', urls.fallback)],
    defaultChain: [
      { provider: 'primary', model: 'bench-model' },
      { provider: 'fallback', model: 'bench-model' },
    ],
    deadlineMs,
    hooks: {
      onAttempt: (event) => {
        if (event.outcome !== 'skipped') upstreamCalls += 1;
      },
    },
    ...options,
  });
  const firstTokens: number[] = [];
  let failed = 0;
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next += 1;
          const begin = performance.now();
          let firstToken: number | undefined;
          try {
            for await (const chunk of client.chatStream({ model: 'auto', messages })) {
              if (firstToken === undefined && chunk.choices[0]?.delta.content)
                firstToken = performance.now() - begin;
            }
          } catch {
            failed += 1;
          }
          if (firstToken !== undefined) firstTokens.push(firstToken);
        }
      }),
    );
  };
  if (warmup > 0) {
    await run(warmup);
    firstTokens.length = 0;
    failed = 0;
    upstreamCalls = 0;
  }
  await run(requests);
  await Promise.all(pools.map((pool) => pool.close()));
  firstTokens.sort((a, b) => a - b);
  return {
    name,
    p50: at(firstTokens, 0.5),
    p99: at(firstTokens, 0.99),
    extraCalls: (upstreamCalls - requests) / requests,
    failed,
  };
}

const simulators = fork(new URL('./ttft-simulator-process.ts', import.meta.url));
const [urls] = (await once(simulators, 'message')) as [
  { primaries: { healthy: string; hung: string; sometimesSlow: string }; fallback: string },
];

const loadBefore = loadavg();
console.log(
  `time to first token, streams; ${requests} measured requests per scenario (after ${warmupRequests} unmeasured, but for the hung primary), ${concurrency} at a time; first-token timeout ${timeouts.firstTokenMs} ms, deadline ${deadlineMs} ms`,
);
console.log('upstreams (simulators in a child process): primary first token 300-500 ms, fallback 30-60 ms');
console.log(`load average before: ${loadBefore.map((value) => value.toFixed(2)).join(' ')}\n`);

// Warm-up of the process: JIT, so the first scenario is not the one paying for it.
await scenario('warm-up', urls.primaries.healthy, {}, 0);
const healthy = await scenario('healthy primary', urls.primaries.healthy);
const rows: Row[] = [
  healthy,
  await scenario('healthy primary, hedging auto', urls.primaries.healthy, { hedgeAfterMs: 'auto' }),
  await scenario('hung primary', urls.primaries.hung, {}, 0),
  await scenario('3 s in 20 %, hedging off', urls.primaries.sometimesSlow),
  await scenario('3 s in 20 %, hedging auto', urls.primaries.sometimesSlow, { hedgeAfterMs: 'auto' }),
  await scenario(`3 s in 20 %, hedging ${fixedHedgeMs} ms`, urls.primaries.sometimesSlow, {
    hedgeAfterMs: fixedHedgeMs,
  }),
];
const loadAfter = loadavg();

const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
console.log(
  `${'scenario'.padEnd(34)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}  p99 / healthy  extra calls  failed`,
);
for (const row of rows)
  console.log(
    `${row.name.padEnd(34)} ${ms(row.p50)} ${ms(row.p99)}  ${(row.p99 / healthy.p99).toFixed(2).padStart(12)}x  ${(row.extraCalls * 100).toFixed(1).padStart(10)}%  ${String(row.failed).padStart(6)}`,
  );

const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
const [, , hung, off, auto, fixed] = rows as [Row, Row, Row, Row, Row, Row];
const hungLimit = timeouts.firstTokenMs + 100;
console.log('\ntargets');
console.log(
  `  hung primary: p99 ${hung.p99.toFixed(0)} ms <= first-token timeout + 100 ms (${hungLimit} ms): ${verdict(hung.p99 <= hungLimit)}`,
);
for (const row of [auto, fixed])
  console.log(
    `  ${row.name}: p99 ${(row.p99 / healthy.p99).toFixed(2)}x healthy <= 1.5x: ${verdict(row.p99 <= 1.5 * healthy.p99)}; extra upstream calls ${(row.extraCalls * 100).toFixed(1)}% < 25%: ${verdict(row.extraCalls < 0.25)}`,
  );
console.log(
  `  (hedging off for comparison: p99 ${(off.p99 / healthy.p99).toFixed(2)}x healthy, extra calls ${(off.extraCalls * 100).toFixed(1)}%)`,
);
console.log(`\nload average after: ${loadAfter.map((value) => value.toFixed(2)).join(' ')}`);

simulators.disconnect();
