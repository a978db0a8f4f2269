/**
 * The benchmark's stack, shared by `gateway.bench.ts` and `profile.ts`: the simulators, the pass-throughs, the
 * compiled gateway (NODE_ENV=production) on fresh databases, and the benchmark user with its Bench plan and API key;
 * and raw-proxy processes for the slow-stream hold. The process helpers are in `processes.ts` (re-exported here).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createTestDatabases } from '@switchyard/db/testing';
import type { Fault } from '@switchyard/llm/testing';
import {
  appRoot,
  child,
  env,
  exited,
  firstLine,
  freePort,
  runningChildren,
  waitForReady,
} from './processes.js';

export * from './processes.js';

const adminKey = 'bench-admin-key-0123456789';

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
    LOG_LEVEL: 'info',
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
    const running = runningChildren();
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
