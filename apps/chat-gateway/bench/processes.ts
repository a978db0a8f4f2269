/**
 * The benchmark's process helpers, shared by `gateway.bench.ts`, `profile.ts` and `stack.ts`: child processes (each
 * party of the bench in its own), the load generator call, readiness, RSS and open files, the build check, and how
 * many processes N held streams need under the open-files limit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';

export const env = readProcessEnv();
/** Concurrency of every throughput row: same for the simulator, the pass-throughs and the gateway. */
export const connections = 32;
export const appRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
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

/** The bench's child processes still running. */
export function runningChildren(): ChildProcess[] {
  return children.filter((started) => started.exitCode === null && started.signalCode === null);
}

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
