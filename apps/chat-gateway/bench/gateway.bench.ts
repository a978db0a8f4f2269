/**
 * Side-by-side overhead benchmark (`pnpm bench`): the OpenAI simulator direct, two calibration pass-throughs
 * (the SDK with the same pooled transport, and a raw Fastify+undici proxy), and the gateway built for
 * production on real Postgres and Redis. Prints requests/s, p50, p99 and the ratios the issue targets.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { Pool } from 'undici';
import { readProcessEnv } from '@switchyard/config';
import { createTestDatabases } from '@switchyard/db/testing';
import { createPooledFetch } from '@switchyard/llm';
import { startOpenAISimulator } from '@switchyard/llm/testing';

const env = readProcessEnv();
const duration = Number(env.BENCH_DURATION_SECONDS ?? 5);
const connections = 32;
// 10,000 streams need 20,000+ sockets in the gateway (client side + upstream side); the hard file limit
// of the development machine is 20,000 per process, so the default stays just under it.
const streamCount = Number(env.BENCH_STREAMS ?? 9_500);
const appRoot = fileURLToPath(new URL('..', import.meta.url));
const adminKey = 'bench-admin-key-0123456789';
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark me' }] });
const streamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark me' }], stream: true });

interface Row {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}
const rows: Row[] = [];

async function drive(name: string, url: string, options: { headers?: Record<string, string>; body?: string; overallRate?: number } = {}): Promise<Row> {
  const result = await autocannon({ url, method: 'POST', connections, duration, headers: { 'content-type': 'application/json', ...options.headers }, body: options.body ?? body, overallRate: options.overallRate });
  const row = { name, requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
  rows.push(row);
  process.stdout.write(`${name.padEnd(44)} ${row.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${row.p50.toFixed(1).padStart(6)} ms  p99 ${row.p99.toFixed(1).padStart(6)} ms  errors ${row.errors}\n`);
  return row;
}

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

function rssMegabytes(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kilobytes / 1024;
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (data: Buffer) => {
      seen += data.toString();
      const match = pattern.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited with ${code}: ${seen.slice(-2_000)}`)));
  });
}

async function waitForReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const ready = await fetch(`${url}/ready`).then((response) => response.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('gateway never became ready');
}

/** Holds `count` concurrent streams and measures the gap between chunks as the client sees it. */
async function holdStreams(url: string, key: string, count: number, payload: string): Promise<{ completed: number; failed: number; gaps: number[] }> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const gaps: number[] = [];
  let completed = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const request = http.request(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, (response) => {
        let last = 0;
        response.on('data', (chunk: Buffer) => {
          const now = performance.now();
          if (last > 0 && chunk.includes('"content"')) gaps.push(now - last);
          last = now;
        });
        response.on('end', () => {
          if (response.statusCode === 200) completed += 1;
          else failed += 1;
          resolve();
        });
        response.on('error', () => {
          failed += 1;
          resolve();
        });
      });
      request.on('error', () => {
        failed += 1;
        resolve();
      });
      request.end(payload);
    });
  await Promise.all(Array.from({ length: count }, one));
  agent.destroy();
  return { completed, failed, gaps };
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** Compiles the gateway when its workspace dependencies are built (turbo's `^build`); otherwise runs the sources. */
function buildForProduction(): boolean {
  const dependenciesBuilt = ['config', 'db', 'llm'].every((name) => existsSync(`${appRoot}/../../packages/${name}/dist/index.js`));
  if (!dependenciesBuilt) return false;
  const build = spawnSync(process.execPath, [`${appRoot}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: appRoot, stdio: 'inherit' });
  return build.status === 0 && existsSync(`${appRoot}/dist/server.js`);
}

async function main(): Promise<void> {
  const primary = await startOpenAISimulator({ record: false });
  const secondary = await startOpenAISimulator({ record: false });
  const upstream = `${primary.url}/v1/chat/completions`;

  // Calibration 1: 20 lines of Fastify making the same SDK call over the same pooled transport.
  const pooledFetch = createPooledFetch({ connections: 128, timeouts: { connectMs: 5_000 } });
  const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL: `${primary.url}/v1`, fetch: pooledFetch, maxRetries: 0 });
  const sdkPassThrough = Fastify();
  sdkPassThrough.post('/v1/chat/completions', (request) => sdk.chat.completions.create(request.body as OpenAI.ChatCompletionCreateParamsNonStreaming));
  const sdkUrl = await sdkPassThrough.listen({ port: 0, host: '127.0.0.1' });

  // Calibration 2: the floor for any Node gateway, a raw undici proxy.
  const upstreamPool = new Pool(primary.url, { connections: 128 });
  const rawProxy = Fastify();
  rawProxy.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, payload, done) => done(null, payload));
  rawProxy.post('/v1/chat/completions', async (request, reply) => {
    const response = await upstreamPool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: request.body as Buffer });
    return reply.code(response.statusCode).type('application/json').send(response.body);
  });
  const rawUrl = await rawProxy.listen({ port: 0, host: '127.0.0.1' });

  // The gateway, built for production: compiled dist when present, real Postgres and Redis, warn-level logs.
  const databases = await createTestDatabases();
  const keyPrefix = `{sy-bench-${randomUUID().slice(0, 8)}}`;
  const port = await freePort();
  const slowSimulator = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', 'bench/slow-simulator.ts'], { cwd: appRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const slowUrl = (await waitForLine(slowSimulator, /http:\/\/[\d.:]+/)).trim();
  const compiled = buildForProduction();
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
    OPENAI_BASE_URL: `${primary.url}/v1`,
    GROQ_API_KEY: 'gsk-bench-secondary',
    GROQ_BASE_URL: `${secondary.url}/v1`,
    // The slow simulator stands in for the openai-compatible provider, used only by the stream-hold phase.
    OPENAI_COMPATIBLE_API_KEY: 'sk-bench-slow',
    OPENAI_COMPATIBLE_BASE_URL: `${slowUrl}/v1`,
    LLM_FALLBACK_ORDER: 'openai,groq,openai-compatible',
    LLM_MAX_CONNECTIONS_PER_PROVIDER: String(streamCount + 100),
  };
  const gatewayArgs = compiled ? ['dist/server.js'] : ['--conditions=@switchyard/source', '--import', 'tsx', 'src/server.ts'];
  const gateway = spawn(process.execPath, gatewayArgs, { cwd: appRoot, env: gatewayEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await waitForReady(gatewayUrl);
    const idleRss = rssMegabytes(gateway);
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const user = (await (await fetch(`${gatewayUrl}/api/admin/users`, { method: 'POST', headers: admin, body: JSON.stringify({ email: 'bench@example.com' }) })).json()) as { id: string };
    // The seeded Free plan allows 100 requests a month; the benchmark user gets an unlimited plan.
    await databases.platform.pool.query(`insert into subscription_plans (name, monthly_request_limit) values ('Bench', 0)`);
    await databases.platform.pool.query(`insert into user_subscriptions (user_id, plan_id) select $1, id from subscription_plans where name = 'Bench'`, [user.id]);
    const { key } = (await (await fetch(`${gatewayUrl}/api/admin/users/${user.id}/api-keys`, { method: 'POST', headers: admin, body: '{}' })).json()) as { key: string };
    const auth = { authorization: `Bearer ${key}` };
    process.stdout.write(`gateway: ${compiled ? 'compiled dist' : 'tsx sources'}, NODE_ENV=production, idle RSS ${idleRss.toFixed(0)} MB; ${duration}s per run, ${connections} connections\n\n`);

    await drive('warm-up (gateway, discarded)', `${gatewayUrl}/v1/chat/completions`, { headers: auth });
    rows.pop();
    const direct = await drive('direct to simulator', upstream);
    const sdkRow = await drive('SDK pass-through (same transport)', `${sdkUrl}/v1/chat/completions`);
    const raw = await drive('raw Fastify+undici proxy', `${rawUrl}/v1/chat/completions`);
    const gatewayRow = await drive('gateway non-stream', `${gatewayUrl}/v1/chat/completions`, { headers: auth });
    const streamRow = await drive('gateway stream', `${gatewayUrl}/v1/chat/completions`, { headers: auth, body: streamBody });
    const rated = await drive('gateway non-stream at 1,000 req/s offered', `${gatewayUrl}/v1/chat/completions`, { headers: auth, overallRate: 1_000 });
    const directRated = await drive('direct to simulator at 1,000 req/s offered', upstream, { overallRate: 1_000 });

    // Open the primary's breaker: it fails until the breaker stops sending it traffic.
    primary.setFaults([{ type: 'server_error' }]);
    for (let index = 0; index < 30; index += 1) await fetch(`${gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
    const health = (await (await fetch(`${gatewayUrl}/api/providers/health`)).json()) as { providers: Array<{ provider: string; breaker: { state: string } }> };
    const breakerState = health.providers.find((provider) => provider.provider === 'openai')?.breaker.state;
    const breakerRow = await drive(`gateway, primary breaker ${breakerState ?? 'unknown'}`, `${gatewayUrl}/v1/chat/completions`, { headers: auth });
    primary.setFaults([]);

    const peakBefore = rssMegabytes(gateway);
    const slowBody = JSON.stringify({ model: 'openai-compatible/default', messages: [{ role: 'user', content: 'slow' }], stream: true });
    let peakRss = peakBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMegabytes(gateway))), 250);
    const startedAt = performance.now();
    const held = await holdStreams(gatewayUrl, key, streamCount, slowBody);
    clearInterval(sampler);
    const heldSeconds = (performance.now() - startedAt) / 1000;
    const addedP99 = percentile(held.gaps, 0.99) - 100;

    process.stdout.write(`\n${streamCount} concurrent streams (60 tokens, one per 100 ms): ${held.completed} completed, ${held.failed} failed in ${heldSeconds.toFixed(1)} s; gateway peak RSS ${peakRss.toFixed(0)} MB; chunk gap p50 ${percentile(held.gaps, 0.5).toFixed(1)} ms, p99 ${percentile(held.gaps, 0.99).toFixed(1)} ms (added per chunk at p99 ≈ ${addedP99.toFixed(1)} ms)\n`);
    process.stdout.write('\nratios (same run)\n');
    const ratio = (label: string, value: number, target: string) => process.stdout.write(`  ${label.padEnd(58)} ${value.toFixed(2)}  (${target})\n`);
    ratio('gateway non-stream / SDK pass-through throughput', gatewayRow.requestsPerSecond / sdkRow.requestsPerSecond, 'target >= 0.80');
    ratio('gateway non-stream / raw proxy throughput', gatewayRow.requestsPerSecond / raw.requestsPerSecond, 'information');
    ratio('gateway non-stream / direct throughput', gatewayRow.requestsPerSecond / direct.requestsPerSecond, 'information');
    ratio('gateway stream / gateway non-stream throughput', streamRow.requestsPerSecond / gatewayRow.requestsPerSecond, 'information');
    ratio('breaker open / healthy throughput', breakerRow.requestsPerSecond / gatewayRow.requestsPerSecond, 'target >= 0.90');
    process.stdout.write(`  p99 at 1,000 req/s offered: gateway ${rated.p99.toFixed(1)} ms vs direct ${directRated.p99.toFixed(1)} ms, added ${(rated.p99 - directRated.p99).toFixed(1)} ms (target < 5 ms)\n`);
    process.stdout.write(`  idle RSS ${idleRss.toFixed(0)} MB (target < 150); RSS under streams ${peakRss.toFixed(0)} MB (target < 1024); added per chunk p99 ${addedP99.toFixed(1)} ms (target < 5)\n`);
  } finally {
    gateway.kill('SIGTERM');
    slowSimulator.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    await Promise.all([sdkPassThrough.close(), rawProxy.close(), primary.close(), secondary.close(), upstreamPool.close(), pooledFetch.close()]);
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await databases.drop();
  }
}

await main();
