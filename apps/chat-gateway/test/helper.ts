import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { gatewayAppConfig, parseConfig } from '@switchyard/config';
import { createTestDatabases, type TestDatabases } from '@switchyard/db/testing';
import { decodeUsageEvent, usageStreamKeys, type UsageEvent } from '@switchyard/jobs';
import { Redis } from 'ioredis';
import { buildApp, type AppDependencies } from '../src/app.js';

/** The admin key every test gateway accepts. */
export const adminKey = 'test-admin-key-0123456789';

/**
 * Builds a gateway on fresh databases and its own Redis key prefix; `env` adds or overrides variables.
 * `shared` reuses another gateway's databases (and, when given, its key prefix: a second replica);
 * `dependencies` go to `buildApp` as they are.
 */
export async function createTestGateway(
  env: Record<string, string> = {},
  shared?: { databases: TestDatabases; keyPrefix?: string },
  dependencies: AppDependencies = {},
) {
  const databases = shared?.databases ?? (await createTestDatabases());
  const keyPrefix = shared?.keyPrefix ?? `{sy-test-${randomUUID().slice(0, 8)}}`;
  const config = parseConfig(gatewayAppConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PLATFORM_DATABASE_URL: databases.config.platformUrl,
    USERDATA_DATABASE_URL: databases.config.userdataUrl,
    DATABASE_POOL_MAX: '5',
    REDIS_KEY_PREFIX: keyPrefix,
    GATEWAY_ADMIN_KEY: adminKey,
    LLM_DEADLINE_MS: '10000',
    LLM_FIRST_TOKEN_TIMEOUT_MS: '3000',
    LLM_IDLE_TIMEOUT_MS: '2000',
    // Own keys in tests point at simulators on loopback; every other private address stays refused.
    USER_BASE_URL_ALLOWLIST: '127.0.0.1',
    ...env,
  });
  const app = await buildApp(config, dependencies);
  await app.ready();

  async function close(): Promise<void> {
    await app.close();
    if (shared?.keyPrefix === undefined) {
      const redis = new Redis(config.redis.url);
      const keys = [
        ...(await redis.keys(`${keyPrefix}*`)),
        ...(await redis.keys(`${config.redis.spendNamespace}:*`)),
      ];
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    if (!shared) await databases.drop();
  }

  /** Creates a user through the admin API and issues a key for it. */
  async function createUser(
    email = `user-${randomUUID()}@example.com`,
  ): Promise<{ id: string; key: string; keyId: string }> {
    const user = await app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { email },
    });
    if (user.statusCode !== 201) throw new Error(`create user: ${user.statusCode} ${user.body}`);
    const { id } = user.json<{ id: string }>();
    const key = await app.inject({
      method: 'POST',
      url: `/api/admin/users/${id}/api-keys`,
      headers: { authorization: `Bearer ${adminKey}` },
      payload: {},
    });
    if (key.statusCode !== 201) throw new Error(`issue key: ${key.statusCode} ${key.body}`);
    const issued = key.json<{ id: string; key: string }>();
    return { id, key: issued.key, keyId: issued.id };
  }

  /** Every usage event this gateway (and its replicas) appended to the usage streams, oldest first per partition. */
  async function usageEvents(): Promise<UsageEvent[]> {
    return readUsageEvents(config.redis.url, config.redis.spendNamespace, config.usageStream.partitions);
  }

  return { app, config, databases, keyPrefix, close, createUser, usageEvents };
}

/** Reads and decodes every event of the usage streams of `namespace`. */
export async function readUsageEvents(
  redisUrl: string,
  namespace: string,
  partitions: number,
): Promise<UsageEvent[]> {
  const redis = new Redis(redisUrl);
  try {
    const events: UsageEvent[] = [];
    for (const key of usageStreamKeys(namespace, partitions))
      for (const [, fields] of await redis.xrange(key, '-', '+')) events.push(decodeUsageEvent(fields));
    return events;
  } finally {
    await redis.quit();
  }
}

/** Puts a user on a new plan with `limits` through the admin API; returns the plan's name. */
export async function subscribeToNewPlan(
  gateway: { app: TestGateway['app'] },
  userId: string,
  limits: Record<string, unknown>,
): Promise<string> {
  const name = `plan-${randomUUID().slice(0, 8)}`;
  const created = await gateway.app.inject({
    method: 'POST',
    url: '/api/admin/plans',
    headers: { authorization: `Bearer ${adminKey}` },
    payload: { name, ...limits },
  });
  if (created.statusCode !== 201) throw new Error(`create plan: ${created.statusCode} ${created.body}`);
  const assigned = await gateway.app.inject({
    method: 'PUT',
    url: `/api/admin/users/${userId}/subscription`,
    headers: { authorization: `Bearer ${adminKey}` },
    payload: { plan: name },
  });
  if (assigned.statusCode !== 200) throw new Error(`subscribe: ${assigned.statusCode} ${assigned.body}`);
  return name;
}

/** A test gateway. */
export type TestGateway = Awaited<ReturnType<typeof createTestGateway>>;

/**
 * A TCP pass-through in front of an upstream (a simulator) that reports when the gateway closes its side of a
 * connection: undici destroys the socket of an aborted request, so a close here is the upstream call being aborted.
 */
export async function startConnectionObserver(upstreamUrl: string) {
  const target = new URL(upstreamUrl);
  const events = new EventEmitter<{ closedByGateway: [] }>();
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(downstream).add(upstream);
    downstream.pipe(upstream).pipe(downstream);
    let upstreamClosed = false;
    downstream.once('close', () => {
      if (!upstreamClosed) events.emit('closedByGateway');
      upstream.destroy();
    });
    upstream.once('close', () => {
      upstreamClosed = true;
      downstream.destroy();
    });
    downstream.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Resolves at the next connection the gateway closes. */
    nextClose: () => once(events, 'closedByGateway'),
    async close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads an SSE response body to its end, as text. */
export async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text;
}

/** One `chat.completion.chunk` of a streamed answer, as far as tests read it. */
export interface StreamedChunk {
  choices: { delta: { content?: string | null }; finish_reason: string | null }[];
  x_gateway?: { contributors: { provider: string; model: string }[]; continued: boolean };
}

/** An SSE chat answer read back: its text, finish reasons, final contributors, and whether it ended in `[DONE]`. */
export function parseSseAnswer(body: string) {
  const data = body
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
  const chunks = data
    .filter((payload) => payload !== '[DONE]')
    .map((payload) => JSON.parse(payload) as StreamedChunk & { error?: unknown });
  return {
    text: chunks.map((chunk) => chunk.choices?.[0]?.delta.content ?? '').join(''),
    finishReasons: chunks.flatMap((chunk) => chunk.choices?.[0]?.finish_reason ?? []),
    contributors: chunks.at(-1)?.x_gateway?.contributors.map((entry) => entry.provider),
    errors: chunks.flatMap((chunk) => (chunk.error === undefined ? [] : [chunk.error])),
    done: data.at(-1) === '[DONE]',
  };
}
