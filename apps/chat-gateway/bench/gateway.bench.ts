/**
 * Side-by-side overhead benchmark (`pnpm bench`): the OpenAI simulator direct, two calibration pass-throughs
 * (the SDK with the same pooled transport, and a raw Fastify+undici proxy), and the compiled gateway
 * (NODE_ENV=production) on real Postgres and Redis. Load generator, simulators, pass-throughs and gateway each run
 * in their own process. Runs are interleaved round by round and ratios are taken per round, because the machine
 * is shared: absolute numbers drift, ratios measured side by side drift much less.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { readProcessEnv } from '@switchyard/config';
import { createTestDatabases } from '@switchyard/db/testing';
import type { Fault } from '@switchyard/llm/testing';

const env = readProcessEnv();
const duration = Number(env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const connections = 32;
const streamCount = Number(env.BENCH_STREAMS ?? 10_000);
// The per-chunk delay is also measured at a count the 2-core machine can pace directly (10 chunks/s per stream).
const pacedStreamCount = Number(env.BENCH_PACED_STREAMS ?? 1_000);
// Each proxied stream holds two sockets in the gateway (client side and upstream side). The soft open-files limit
// is raised to the hard one for every child (see `child`); the hard one cannot be raised without CAP_SYS_RESOURCE,
// which this container lacks. When the streams do not fit one process under it, they are spread over as many
// replicas as needed (the gateway is stateless, replicas are how it scales), and RSS is reported summed.
const openFilesHardLimit =
  Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 1_024;
const filesPerGatewayBesideStreams = 500;
const streamReplicas = Math.max(
  1,
  Math.ceil((2 * streamCount + filesPerGatewayBesideStreams) / openFilesHardLimit),
);
const appRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const adminKey = 'bench-admin-key-0123456789';
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark me' }] });
const streamBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Benchmark me' }],
  stream: true,
});
const tsxArgs = ['--conditions=@switchyard/source', '--import', 'tsx'];
// Tokens start after a delay longer than opening every stream takes, so all of them are open at once.
const slowFirstTokenMs = 30_000;

interface Row {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const children: ChildProcess[] = [];
/**
 * Starts a bench party in its own process. `logFile` takes its stdout instead of a pipe: the gateway logs there,
 * and a pipe nobody reads fills at 64 KB, after which every synchronous log write blocks its event loop (the
 * gateway then stalls mid-run and never exits).
 */
function child(
  script: string,
  args: string[] = [],
  options: { ipc?: boolean; env?: NodeJS.ProcessEnv; nodeArgs?: string[]; logFile?: string } = {},
): ChildProcess {
  // Through a shell that raises the soft open-files limit to the hard one: 10,000 streams need that many sockets.
  const command = [process.execPath, ...(options.nodeArgs ?? tsxArgs), script, ...args];
  const stdout = options.logFile ? openSync(options.logFile, 'w') : 'pipe';
  const started = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh', ...command], {
    cwd: appRoot,
    env: options.env ?? env,
    stdio: ['ignore', stdout, 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  if (typeof stdout === 'number') closeSync(stdout);
  children.push(started);
  return started;
}

function firstLine(process: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (data: Buffer) => {
      seen += data.toString();
      const end = seen.indexOf('\n');
      if (end >= 0) {
        process.stdout?.off('data', onData);
        resolve(seen.slice(0, end));
      }
    };
    process.stdout?.on('data', onData);
    process.once('exit', (code) => reject(new Error(`child exited with ${code}: ${seen.slice(-2_000)}`)));
  });
}

/** Runs the load generator in its own process and returns its JSON answer. */
async function load<T>(mode: 'autocannon' | 'streams', options: Record<string, unknown>): Promise<T> {
  const generator = child('bench/load.ts', [mode, JSON.stringify(options)]);
  const line = await firstLine(generator);
  await new Promise((resolve) => generator.once('exit', resolve));
  return JSON.parse(line) as T;
}

function drive(
  url: string,
  options: { headers?: Record<string, string>; body?: string; overallRate?: number } = {},
): Promise<Row> {
  return load<Row>('autocannon', {
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body ?? body,
    overallRate: options.overallRate,
  });
}

function print(name: string, row: Row): void {
  process.stdout.write(
    `${name.padEnd(46)} ${row.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${row.p50.toFixed(1).padStart(6)} ms  p99 ${row.p99.toFixed(1).padStart(6)} ms  errors ${row.errors}\n`,
  );
}

const median = (values: number[]) =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? Number.NaN;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function rssMegabytes(process: ChildProcess): number {
  const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitForReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (
      await fetch(`${url}/ready`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('gateway never became ready');
}

/** Newest modification time of the files under `directory`: TypeScript and what the build copies (`.lua`). */
function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = `${directory}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `directory` and every workspace package its `dependencies` reach, directly or through another package, read from
 * the manifests (so a new dependency is checked without editing this list) and resolved through `node_modules`.
 */
function workspacePackages(directory: string, found = new Set<string>()): Set<string> {
  if (found.has(directory)) return found;
  found.add(directory);
  const manifest = JSON.parse(readFileSync(`${directory}/package.json`, 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
    if (version.startsWith('workspace:'))
      workspacePackages(realpathSync(`${directory}/node_modules/${name}`), found);
  }
  return found;
}

/**
 * The gateway runs from its compiled `dist/` (as in production), so a `dist/` older than its sources would bench
 * yesterday's code. `pnpm bench` at the root builds first (turbo `bench` depends on `build`); run alone, the bench
 * rebuilds whatever is missing or stale, with the pnpm that started it (pnpm may not be on PATH under corepack).
 */
function ensureBuilt(): void {
  const packages = [...workspacePackages(realpathSync(appRoot))];
  const stale = packages
    .filter((path) => {
      const output = `${path}/dist/index.js`;
      return !existsSync(output) || statSync(output).mtimeMs < newestSource(`${path}/src`);
    })
    .map((path) => relative(repoRoot, path));
  if (stale.length === 0 && existsSync(`${appRoot}/dist/server.js`)) return;
  process.stdout.write(
    `dist/ missing or older than src/ in ${stale.join(', ')}: building the gateway and its dependencies...\n`,
  );
  const pnpm = env.npm_execpath ? ([process.execPath, [env.npm_execpath]] as const) : (['pnpm', []] as const);
  const result = spawnSync(
    pnpm[0],
    [...pnpm[1], '--recursive', '--filter=@switchyard/chat-gateway...', 'run', 'build'],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  if (result.status !== 0 || !existsSync(`${appRoot}/dist/server.js`)) throw new Error('build failed');
}

async function main(): Promise<void> {
  ensureBuilt();
  const upstreams = child('bench/upstreams.ts', [], { ipc: true });
  const { primary, secondary } = JSON.parse(await firstLine(upstreams)) as {
    primary: string;
    secondary: string;
  };
  const setFaults = (faults: Fault[]) =>
    new Promise<void>((resolve) => {
      upstreams.once('message', () => resolve());
      upstreams.send({ target: 'primary', faults });
    });
  const passThroughs = child('bench/pass-throughs.ts', [primary]);
  const { sdk: sdkUrl, raw: rawUrl } = JSON.parse(await firstLine(passThroughs)) as {
    sdk: string;
    raw: string;
  };
  const slowSimulator = child('bench/slow-simulator.ts', [String(slowFirstTokenMs)]);
  const slowUrl = (await firstLine(slowSimulator)).trim();

  const databases = await createTestDatabases();
  const keyPrefix = `{sy-bench-${randomUUID().slice(0, 8)}}`;
  const port = await freePort();
  const gatewayEnv = {
    ...env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    GATEWAY_ADMIN_KEY: adminKey,
    SECRETS_KEY: 'b'.repeat(64),
    PLATFORM_DATABASE_URL: databases.config.platformUrl,
    USERDATA_DATABASE_URL: databases.config.userdataUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    OPENAI_API_KEY: 'sk-bench-primary',
    OPENAI_BASE_URL: `${primary}/v1`,
    GROQ_API_KEY: 'gsk-bench-secondary',
    GROQ_BASE_URL: `${secondary}/v1`,
    // The slow simulator stands in for the openai-compatible provider, used only by the stream-hold phase.
    OPENAI_COMPATIBLE_API_KEY: 'sk-bench-slow',
    OPENAI_COMPATIBLE_BASE_URL: `${slowUrl}/v1`,
    LLM_FALLBACK_ORDER: 'openai,groq,openai-compatible',
    LLM_MAX_CONNECTIONS_PER_PROVIDER: String(streamCount + 100),
    // The slow simulator's first token comes after 30 s (see slowFirstTokenMs); the defaults would time it out.
    LLM_FIRST_TOKEN_TIMEOUT_MS: String(slowFirstTokenMs + 30_000),
    LLM_TOTAL_TIMEOUT_MS: String(slowFirstTokenMs + 60_000),
    LLM_DEADLINE_MS: String(slowFirstTokenMs + 90_000),
    // The limiter stays on (it shares the quota's round trip) but must not throttle the benchmark.
    RATE_LIMIT_PER_MINUTE: '1000000000',
  };
  // A second gateway on the same databases and Redis with spend metering off (no reservation, no settlement, no
  // usage event): the baseline of the "quota + usage on / off" ratio.
  const meteringOffPort = await freePort();
  const profileDir = env.BENCH_CPU_PROFILE_DIR;
  mkdirSync(`${appRoot}/reports`, { recursive: true });
  const gatewayLogs = [`${appRoot}/reports/bench-gateway-0.log`];
  const gateway = child('dist/server.js', [], {
    env: gatewayEnv,
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    logFile: gatewayLogs[0],
  });
  const gatewayUrl = `http://127.0.0.1:${port}`;
  gatewayLogs.push(`${appRoot}/reports/bench-gateway-metering-off.log`);
  const meteringOff = child('dist/server.js', [], {
    env: { ...gatewayEnv, PORT: String(meteringOffPort), SPEND_METERING: 'off' },
    nodeArgs: [],
    logFile: gatewayLogs.at(-1),
  });
  const meteringOffUrl = `http://127.0.0.1:${meteringOffPort}`;
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await Promise.all([waitForReady(gatewayUrl), waitForReady(meteringOffUrl)]);
    // Idle means after startup settled: timers armed, first metrics flush and GC done.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleRss = rssMegabytes(gateway);
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const user = (await (
      await fetch(`${gatewayUrl}/api/admin/users`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ email: 'bench@example.com' }),
      })
    ).json()) as { id: string };
    // The seeded Free plan allows few requests a month. The benchmark user's plan has every limit set, far above
    // what a run uses, so each request runs every check of the reservation script (limits of 0 are skipped).
    await databases.platform.pool.query(
      `insert into subscription_plans (name, monthly_request_limit, monthly_token_limit, monthly_cost_cap,
         provider_limits, max_tokens_per_request, rate_limit_per_minute)
       values ('Bench', 2000000000, 9000000000000, 99999999,
         '{"openai": {"monthlyCostCapUsd": 99999999, "monthlyRequestLimit": 2000000000},
           "groq": {"monthlyCostCapUsd": 99999999, "monthlyRequestLimit": 2000000000}}', 4096, 2000000000)`,
    );
    await databases.platform.pool.query(
      `insert into user_subscriptions (user_id, plan_id) select $1, id from subscription_plans where name = 'Bench'`,
      [user.id],
    );
    const { key } = (await (
      await fetch(`${gatewayUrl}/api/admin/users/${user.id}/api-keys`, {
        method: 'POST',
        headers: admin,
        body: '{}',
      })
    ).json()) as { key: string };
    const auth = { authorization: `Bearer ${key}` };
    const gatewayChat = `${gatewayUrl}/v1/chat/completions`;
    const meteringOffChat = `${meteringOffUrl}/v1/chat/completions`;
    process.stdout.write(
      `gateway: compiled dist, NODE_ENV=production, LOG_LEVEL=warn, own process; load generator, simulators and pass-throughs in separate processes\n` +
        `idle RSS ${idleRss.toFixed(0)} MB; ${rounds} interleaved rounds of ${duration} s per target, ${connections} connections; medians below\n\n`,
    );

    await drive(gatewayChat, { headers: auth });
    const targets: Array<[string, () => Promise<Row>]> = [
      ['direct to simulator', () => drive(`${primary}/v1/chat/completions`)],
      ['SDK pass-through (same transport)', () => drive(`${sdkUrl}/v1/chat/completions`)],
      ['raw Fastify+undici proxy', () => drive(`${rawUrl}/v1/chat/completions`)],
      ['gateway non-stream', () => drive(gatewayChat, { headers: auth })],
      ['gateway stream', () => drive(gatewayChat, { headers: auth, body: streamBody })],
      ['gateway non-stream, quota+usage off', () => drive(meteringOffChat, { headers: auth })],
    ];
    const results = new Map<string, Row[]>(targets.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order each round so no target always runs right after the same neighbour.
      for (let index = 0; index < targets.length; index += 1) {
        const [name, run] = targets[(index + round) % targets.length]!;
        results.get(name)!.push(await run());
      }
    }
    const summary = (name: string): Row => {
      const rows = results.get(name)!;
      return {
        requestsPerSecond: median(rows.map((row) => row.requestsPerSecond)),
        p50: median(rows.map((row) => row.p50)),
        p99: median(rows.map((row) => row.p99)),
        errors: rows.reduce((total, row) => total + row.errors, 0),
      };
    };
    for (const [name] of targets) print(name, summary(name));
    const perRound = (numerator: string, denominator: string) =>
      median(
        results
          .get(numerator)!
          .map((row, index) => row.requestsPerSecond / results.get(denominator)![index]!.requestsPerSecond),
      );

    const rated: Row[] = [];
    const directRated: Row[] = [];
    for (let round = 0; round < rounds; round += 1) {
      rated.push(await drive(gatewayChat, { headers: auth, overallRate: 1_000 }));
      directRated.push(await drive(`${primary}/v1/chat/completions`, { overallRate: 1_000 }));
    }
    print('gateway non-stream at 1,000 req/s offered', rated[Math.floor(rounds / 2)]!);
    print('direct to simulator at 1,000 req/s offered', directRated[Math.floor(rounds / 2)]!);
    process.stdout.write(
      '(the 1,000 req/s rows are round ' +
        String(Math.floor(rounds / 2) + 1) +
        ' of ' +
        String(rounds) +
        '; the added p99 below is the median over rounds)\n',
    );
    const addedP99 = median(rated.map((row, index) => row.p99 - directRated[index]!.p99));

    // Primary's breaker open. It stays open for its cooldown (30 s) once tripped, so instead of toggling it we
    // interleave `auto` (chain openai -> groq: the open breaker is skipped, the fallback recorded) with the same
    // request pinned to groq (the healthy path to an identical upstream): the ratio is the cost of the open breaker.
    await setFaults([{ type: 'server_error' }]);
    for (let index = 0; index < 30; index += 1)
      await fetch(gatewayChat, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
    // Provider health needs a key since the ops endpoints were closed (issue 12).
    const health = (await (await fetch(`${gatewayUrl}/api/providers/health`, { headers: auth })).json()) as {
      providers: Array<{ provider: string; breaker: { state: string } }>;
    };
    const breakerState =
      health.providers.find((provider) => provider.provider === 'openai')?.breaker.state ?? 'unknown';
    const pinnedBody = JSON.stringify({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Benchmark me' }],
    });
    const healthy: Row[] = [];
    const broken: Row[] = [];
    for (let round = 0; round < rounds; round += 1) {
      healthy.push(await drive(gatewayChat, { headers: auth, body: pinnedBody }));
      broken.push(await drive(gatewayChat, { headers: auth }));
    }
    await setFaults([]);
    print('gateway non-stream, pinned to the healthy groq', healthy[Math.floor(rounds / 2)]!);
    print(`gateway, auto with the primary breaker ${breakerState}`, broken[Math.floor(rounds / 2)]!);
    const breakerRatio = median(
      broken.map((row, index) => row.requestsPerSecond / healthy[index]!.requestsPerSecond),
    );

    // Concurrent slow streams: first straight to the slow simulator (baseline chunk gaps), then through the gateway.
    const slowStreamBody = JSON.stringify({
      model: 'default',
      messages: [{ role: 'user', content: 'slow' }],
      stream: true,
    });
    type Held = {
      completed: number;
      failed: number;
      failures: Record<string, number>;
      peakOpen: number;
      seconds: number;
      gapP50: number;
      gapP99: number;
    };
    const describe = (held: Held) =>
      `${held.completed} completed, ${held.failed} failed${held.failed > 0 ? ` ${JSON.stringify(held.failures)}` : ''}, at most ${held.peakOpen} open at once, ${held.seconds.toFixed(1)} s; chunk gap p50 ${held.gapP50.toFixed(1)} ms, p99 ${held.gapP99.toFixed(1)} ms`;
    const gatewaySlowStreamBody = JSON.stringify({
      model: 'openai-compatible/default',
      messages: [{ role: 'user', content: 'slow' }],
      stream: true,
    });
    // Per-chunk delay first, at a count whose direct baseline keeps the 100 ms pacing on this machine: a difference
    // of two CPU-starved runs would measure the machine, not the gateway.
    const pacedDirect = await load<Held>('streams', {
      urls: [`${slowUrl}/v1/chat/completions`],
      headers: {},
      count: pacedStreamCount,
      body: slowStreamBody,
      rampMs: 5_000,
    });
    const pacedHeld = await load<Held>('streams', {
      urls: [gatewayChat],
      headers: auth,
      count: pacedStreamCount,
      body: gatewaySlowStreamBody,
      rampMs: 5_000,
    });
    process.stdout.write(
      `\n${pacedStreamCount} concurrent streams through one gateway (first token after ${slowFirstTokenMs / 1000} s, then 60 tokens, one per 100 ms):\n` +
        `  direct to the slow simulator: ${describe(pacedDirect)}\n` +
        `  through the gateway:          ${describe(pacedHeld)}\n`,
    );
    const direct = await load<Held>('streams', {
      urls: [`${slowUrl}/v1/chat/completions`],
      headers: {},
      count: streamCount,
      body: slowStreamBody,
    });
    // More replicas only when the streams do not fit one process's open files; started now so they do not share
    // the machine during the throughput runs above.
    const replicas = [gateway];
    const replicaUrls = [gatewayChat];
    for (let index = 1; index < streamReplicas; index += 1) {
      const replicaPort = await freePort();
      gatewayLogs.push(`${appRoot}/reports/bench-gateway-${index}.log`);
      replicas.push(
        child('dist/server.js', [], {
          env: { ...gatewayEnv, PORT: String(replicaPort) },
          nodeArgs: [],
          logFile: gatewayLogs.at(-1),
        }),
      );
      await waitForReady(`http://127.0.0.1:${replicaPort}`);
      replicaUrls.push(`http://127.0.0.1:${replicaPort}/v1/chat/completions`);
    }
    const totalRss = () => replicas.reduce((total, replica) => total + rssMegabytes(replica), 0);
    const rssBefore = totalRss();
    let peakRss = rssBefore;
    let peakFiles = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, totalRss());
      // Open files every second: at the limit the kernel refuses new sockets and libuv resets pending connections.
      if (samples++ % 5 === 0)
        for (const replica of replicas)
          peakFiles = Math.max(peakFiles, readdirSync(`/proc/${replica.pid}/fd`).length);
    }, 200);
    const held = await load<Held>('streams', {
      urls: replicaUrls,
      headers: auth,
      count: streamCount,
      body: gatewaySlowStreamBody,
    });
    clearInterval(sampler);
    const perStreamKilobytes = ((peakRss - rssBefore) * 1024) / Math.max(held.completed, 1);
    const where =
      streamReplicas === 1
        ? 'one gateway process'
        : `${streamReplicas} gateway replicas (2 sockets per stream do not fit one process under the ${openFilesHardLimit} open-files hard limit)`;

    process.stdout.write(
      `\n${streamCount} concurrent streams through ${where}; first token after ${slowFirstTokenMs / 1000} s so all are open at once, then 60 tokens, one per 100 ms:\n` +
        `  direct to the slow simulator: ${describe(direct)}\n` +
        `  through the gateway:          ${describe(held)}\n` +
        `  gateway peak open files ${peakFiles} per process (hard limit ${openFilesHardLimit}); RSS ${rssBefore.toFixed(0)} MB before, peak ${peakRss.toFixed(0)} MB (summed over processes): ${perStreamKilobytes.toFixed(1)} KB per stream\n`,
    );
    process.stdout.write('\nratios (medians of per-round ratios, same run)\n');
    const ratio = (label: string, value: number, target: string) =>
      process.stdout.write(`  ${label.padEnd(58)} ${value.toFixed(2)}  (${target})\n`);
    ratio(
      'gateway non-stream / SDK pass-through throughput',
      perRound('gateway non-stream', 'SDK pass-through (same transport)'),
      'target >= 0.80',
    );
    ratio(
      'gateway non-stream / raw proxy throughput',
      perRound('gateway non-stream', 'raw Fastify+undici proxy'),
      'information',
    );
    ratio(
      'gateway non-stream / direct throughput',
      perRound('gateway non-stream', 'direct to simulator'),
      'information',
    );
    ratio(
      'gateway stream / gateway non-stream throughput',
      perRound('gateway stream', 'gateway non-stream'),
      'information',
    );
    ratio('breaker open / healthy throughput', breakerRatio, 'target >= 0.90');
    ratio(
      'quota+usage on / off throughput (gateway non-stream)',
      perRound('gateway non-stream', 'gateway non-stream, quota+usage off'),
      'target >= 0.90',
    );
    const onP99 = summary('gateway non-stream').p99;
    const offP99 = summary('gateway non-stream, quota+usage off').p99;
    process.stdout.write(
      `  p99 with quota+usage on ${onP99.toFixed(1)} ms vs off ${offP99.toFixed(1)} ms (medians of rounds, same run)\n`,
    );
    process.stdout.write(
      `  p99 added at 1,000 req/s offered (gateway - direct, median of rounds): ${addedP99.toFixed(1)} ms (target < 5 ms)\n`,
    );
    // Below the offered rate the gateway was saturated: requests queued, and the p99 is the queue, not what one
    // request costs. Say so rather than let the number pass for per-request latency.
    const achieved = median(rated.map((row) => row.requestsPerSecond));
    if (achieved < 950)
      process.stdout.write(
        `    (the gateway served ${achieved.toFixed(0)} of the 1,000 req/s offered: saturated on this machine in this run, so that p99 is mostly queueing)\n`,
      );
    // When even the direct run cannot keep the simulator's 100 ms pacing, the machine is out of CPU and a
    // difference of two overloaded runs says nothing about the gateway; say so instead of printing a number.
    const addedPerChunk = (count: number, directRun: Held, gatewayRun: Held) =>
      process.stdout.write(
        directRun.gapP99 < 150 && directRun.failed === 0
          ? `  added per chunk at p99 at ${count} streams (gateway - direct): ${(gatewayRun.gapP99 - directRun.gapP99).toFixed(1)} ms (target < 5 ms)\n`
          : `  added per chunk at p99 at ${count} streams: not measurable in this run: the direct baseline itself missed the 100 ms pacing (p99 gap ${directRun.gapP99.toFixed(0)} ms), the machine is CPU-bound (${count * 10} chunks/s)\n`,
      );
    addedPerChunk(pacedStreamCount, pacedDirect, pacedHeld);
    addedPerChunk(streamCount, direct, held);
    const logLines = gatewayLogs.reduce(
      (total, file) => total + readFileSync(file, 'utf8').split('\n').filter(Boolean).length,
      0,
    );
    process.stdout.write(
      `  gateway log lines at LOG_LEVEL=warn: ${logLines} (in reports/bench-gateway-*.log)\n`,
    );
    process.stdout.write(
      `  idle RSS ${idleRss.toFixed(0)} MB (target < 150); peak RSS at ${held.peakOpen} open streams ${peakRss.toFixed(0)} MB over ${replicas.length} process(es) (target < 1024)\n`,
    );
  } finally {
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    meteringOff.kill('SIGTERM');
    // Every party exits before the databases are dropped, so no replica logs its pool being cut.
    const running = children.filter((started) => started.exitCode === null && started.signalCode === null);
    for (const started of running) started.kill('SIGTERM');
    await Promise.all(running.map((started) => new Promise((resolve) => started.once('exit', resolve))));
    // Spend counters and usage streams live under the prefix without its braces (per-user and per-partition tags).
    const keys = [
      ...(await redis.keys(`${keyPrefix}*`)),
      ...(await redis.keys(`${keyPrefix.slice(1, -1)}:*`)),
    ];
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await databases.drop();
  }
}

await main();
