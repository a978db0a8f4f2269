/**
 * The benchmark's process and stack helpers, shared by `gateway.bench.ts` and `profile.ts`: child processes (each
 * party of the bench in its own), the load generator call, readiness, RSS, the build check, and the stack itself:
 * simulators, pass-throughs, the compiled gateway (NODE_ENV=production) on fresh databases, and the benchmark user
 * with its Bench plan and API key.
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

export const env = readProcessEnv();
/** Concurrency of every throughput row: same for the simulator, the pass-throughs and the gateway. */
export const connections = 32;
export const appRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const adminKey = 'bench-admin-key-0123456789';
export const body = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Benchmark me' }],
});
export const streamBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Benchmark me' }],
  stream: true,
});
const tsxArgs = ['--conditions=@switchyard/source', '--import', 'tsx'];

/** One autocannon run, as `load.ts` reports it. */
export interface Row {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** What `load.ts streams` reports for N held streams. */
export interface Held {
  completed: number;
  failed: number;
  failures: Record<string, number>;
  peakOpen: number;
  seconds: number;
  gapP50: number;
  gapP99: number;
}

const children: ChildProcess[] = [];

/**
 * Starts a bench party in its own process. `logFile` takes its stdout instead of a pipe: the gateway logs there,
 * and a pipe nobody reads fills at 64 KB, after which every synchronous log write blocks its event loop (the
 * gateway then stalls mid-run and never exits).
 */
export function child(
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

export function firstLine(process: ChildProcess): Promise<string> {
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

export function exited(process: ChildProcess): Promise<unknown> {
  if (process.exitCode !== null || process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => process.once('exit', resolve));
}

/** Runs the load generator in its own process and returns its JSON answer. */
export async function load<T>(mode: 'autocannon' | 'streams', options: Record<string, unknown>): Promise<T> {
  const generator = child('bench/load.ts', [mode, JSON.stringify(options)]);
  const line = await firstLine(generator);
  await exited(generator);
  return JSON.parse(line) as T;
}

/** `connections` concurrent POSTs for `duration` seconds (or at `overallRate` req/s offered). */
export function drive(
  url: string,
  options: {
    headers?: Record<string, string>;
    body?: string;
    overallRate?: number;
    duration: number;
  },
): Promise<Row> {
  return load<Row>('autocannon', {
    url,
    method: 'POST',
    connections,
    duration: options.duration,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body ?? body,
    overallRate: options.overallRate,
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function rssMegabytes(process: ChildProcess): number {
  const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export function openFiles(process: ChildProcess): number {
  return readdirSync(`/proc/${process.pid}/fd`).length;
}

export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export async function waitForReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (
      await fetch(`${url}/ready`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
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
export function ensureBuilt(): void {
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

/**
 * Each proxied stream holds two sockets in its proxy (client side and upstream side). The soft open-files limit is
 * raised to the hard one for every child (see `child`); the hard one cannot be raised without CAP_SYS_RESOURCE,
 * which this container lacks. When `streams` do not fit one process under it, they are spread over as many
 * replicas as needed (the gateway is stateless, replicas are how it scales): the raw proxy gets as many, so the
 * per-stream memory of the two is compared like for like.
 */
export const openFilesHardLimit =
  Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 1_024;
export function replicasFor(streams: number): number {
  const filesPerProcessBesideStreams = 500;
  return Math.max(1, Math.ceil((2 * streams + filesPerProcessBesideStreams) / openFilesHardLimit));
}

/** A proxy process under test and where to send chat completions to it. */
export interface Proxy {
  process: ChildProcess;
  /** `/v1/chat/completions` on it. */
  chat: string;
}

/**
 * A raw Fastify+undici proxy alone in its process, with an upstream pool of `poolConnections` (the hold of N slow
 * streams needs N upstream connections, as the gateway's LLM_MAX_CONNECTIONS_PER_PROVIDER allows).
 */
export async function startRawProxy(upstream: string, poolConnections: number): Promise<Proxy> {
  const process = child('bench/pass-throughs.ts', [
    upstream,
    '--raw-only',
    `--connections=${poolConnections}`,
  ]);
  const { raw } = JSON.parse(await firstLine(process)) as { raw: string };
  return { process, chat: `${raw}/v1/chat/completions` };
}

export interface StackOptions {
  /** Streams the slow phase will hold: sizes the gateway's upstream pools (default 10,000). */
  streamCount?: number;
  /** Delay of the slow simulator's first token; 0 starts no slow simulator. */
  slowFirstTokenMs?: number;
  /** Node arguments of the main gateway (e.g. `--cpu-prof`). */
  gatewayNodeArgs?: string[];
  /** Also start a gateway with SPEND_METERING=off on the same databases (the quota+usage on/off baseline). */
  meteringOff?: boolean;
}

export interface Stack {
  primary: string;
  secondary: string;
  /** Scripts faults on the primary simulator. */
  setFaults(faults: Fault[]): Promise<void>;
  sdkUrl: string;
  rawUrl: string;
  /** The slow simulator (one token per 100 ms after the first-token delay), when started. */
  slowUrl?: string;
  gateway: Proxy & { url: string };
  meteringOff?: Proxy;
  /** `authorization` header of the benchmark user's API key. */
  auth: Record<string, string>;
  /** The gateways' stdout (their logs), one file per gateway process. */
  gatewayLogs: string[];
  /** Another gateway process on the same databases and Redis (a replica for the slow streams). */
  startReplica(name: string): Promise<Proxy>;
  /** Stops every process (the main gateway first, waiting for it to exit), then cleans Redis and drops the databases. */
  close(): Promise<void>;
}

/**
 * Simulators, pass-throughs, the compiled gateway on fresh databases and a key prefix of its own, and the benchmark
 * user: an uncapped Bench plan with every limit set (so every check of the reservation script runs) and an API key.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const streamCount = options.streamCount ?? 10_000;
  const slowFirstTokenMs = options.slowFirstTokenMs ?? 0;
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
  let slowUrl: string | undefined;
  if (slowFirstTokenMs > 0) {
    const slowSimulator = child('bench/slow-simulator.ts', [String(slowFirstTokenMs)]);
    slowUrl = (await firstLine(slowSimulator)).trim();
  }

  const databases = await createTestDatabases();
  const keyPrefix = `{sy-bench-${randomUUID().slice(0, 8)}}`;
  const gatewayEnv = {
    ...env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
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
    ...(slowUrl
      ? { OPENAI_COMPATIBLE_API_KEY: 'sk-bench-slow', OPENAI_COMPATIBLE_BASE_URL: `${slowUrl}/v1` }
      : {}),
    LLM_FALLBACK_ORDER: slowUrl ? 'openai,groq,openai-compatible' : 'openai,groq',
    LLM_MAX_CONNECTIONS_PER_PROVIDER: String(streamCount + 100),
    // The slow simulator's first token comes after slowFirstTokenMs; the defaults would time it out.
    ...(slowFirstTokenMs > 0
      ? {
          LLM_FIRST_TOKEN_TIMEOUT_MS: String(slowFirstTokenMs + 30_000),
          LLM_TOTAL_TIMEOUT_MS: String(slowFirstTokenMs + 60_000),
          LLM_DEADLINE_MS: String(slowFirstTokenMs + 90_000),
        }
      : {}),
    // The limiter stays on (it shares the quota's round trip) but must not throttle the benchmark.
    RATE_LIMIT_PER_MINUTE: '1000000000',
  };
  mkdirSync(`${appRoot}/reports`, { recursive: true });
  const gatewayLogs: string[] = [];
  const startGateway = async (
    name: string,
    extraEnv: Record<string, string> = {},
    nodeArgs: string[] = [],
  ) => {
    const port = await freePort();
    gatewayLogs.push(`${appRoot}/reports/bench-gateway-${name}.log`);
    const process = child('dist/server.js', [], {
      env: { ...gatewayEnv, ...extraEnv, PORT: String(port) },
      nodeArgs,
      logFile: gatewayLogs.at(-1),
    });
    const url = `http://127.0.0.1:${port}`;
    return { process, url, chat: `${url}/v1/chat/completions` };
  };
  const gateway = await startGateway('0', {}, options.gatewayNodeArgs);
  // A second gateway on the same databases and Redis with spend metering off (no reservation, no settlement, no
  // usage event): the baseline of the "quota + usage on / off" ratio.
  const meteringOff = options.meteringOff
    ? await startGateway('metering-off', { SPEND_METERING: 'off' })
    : undefined;
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  const close = async () => {
    gateway.process.kill('SIGTERM');
    await exited(gateway.process);
    // Every party exits before the databases are dropped, so no replica logs its pool being cut.
    const running = children.filter((started) => started.exitCode === null && started.signalCode === null);
    for (const started of running) started.kill('SIGTERM');
    await Promise.all(running.map(exited));
    // Spend counters and usage streams live under the prefix without its braces (per-user and per-partition tags).
    const keys = [
      ...(await redis.keys(`${keyPrefix}*`)),
      ...(await redis.keys(`${keyPrefix.slice(1, -1)}:*`)),
    ];
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await databases.drop();
  };

  try {
    await Promise.all([waitForReady(gateway.url), ...(meteringOff ? [waitForReady(meteringOff.url)] : [])]);
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const user = (await (
      await fetch(`${gateway.url}/api/admin/users`, {
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
      await fetch(`${gateway.url}/api/admin/users/${user.id}/api-keys`, {
        method: 'POST',
        headers: admin,
        body: '{}',
      })
    ).json()) as { key: string };
    return {
      primary,
      secondary,
      setFaults,
      sdkUrl,
      rawUrl,
      slowUrl,
      gateway,
      meteringOff,
      auth: { authorization: `Bearer ${key}` },
      gatewayLogs,
      startReplica: async (name) => {
        const replica = await startGateway(name);
        await waitForReady(replica.url);
        return replica;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
