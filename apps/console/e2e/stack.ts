import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { createTestDatabases } from '@switchyard/db/testing';
import { startOpenAISimulator } from '@switchyard/llm/testing';
import { Redis } from 'ioredis';
import { freePort, startAppProcess } from './processes.js';
import { seedStack, type SeededUser } from './seed.js';
import { simulatedAnswer, startWebsite } from './simulated-world.js';

const appsDirectory = fileURLToPath(new URL('../../', import.meta.url));
const reportsDirectory = fileURLToPath(new URL('../reports/', import.meta.url));

// Measured: the gateway and the worker each take 8-20 s to start from sources (tsx) on a busy 2-core machine.
const startupTimeoutMs = 120_000;

/** What the browser suite needs to know about a running stack (plain data: it crosses into the test files). */
export interface StackInfo {
  gatewayUrl: string;
  consoleUrl: string;
  adminKey: string;
  user: SeededUser;
}

/** A running stack and how to take it down. */
export interface Stack {
  info: StackInfo;
  close: () => Promise<void>;
}

/**
 * Starts the whole system as a person would run it, on its own databases, Redis prefix and ports: two OpenAI-format
 * simulators (as providers `openai`, then `groq`), a website to monitor, the real gateway and monitoring worker
 * processes (from sources), then seeds a plan, a user, chats and onboarding through the APIs. The gateway serves
 * the console from `apps/console/dist` (build it first). `close()` undoes everything, also after a failed start.
 */
export async function startStack(): Promise<Stack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  // Every cleanup runs even when one fails; the failures are reported together afterwards.
  const close = async () => {
    const failures: unknown[] = [];
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, 'the stack did not close cleanly');
  };
  try {
    const env = readProcessEnv();
    const runId = randomBytes(4).toString('hex');
    const keyPrefix = `{sy-e2e-${runId}}`;
    const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const adminKey = `e2e-admin-${randomBytes(16).toString('hex')}`;

    const databases = await createTestDatabases();
    cleanups.push(() => databases.drop());
    cleanups.push(() => deleteRedisKeys(redisUrl, keyPrefix));
    // Streamed tokens 80 ms apart, so a person (and the suite) can watch an answer arrive word by word.
    const openai = await startOpenAISimulator({ answer: simulatedAnswer('openai'), tokenDelayMs: 80 });
    cleanups.push(() => openai.close());
    const groq = await startOpenAISimulator({ answer: simulatedAnswer('groq'), tokenDelayMs: 80 });
    cleanups.push(() => groq.close());
    const website = await startWebsite();
    cleanups.push(() => website.close());

    const shared = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PLATFORM_DATABASE_URL: databases.config.platformUrl,
      USERDATA_DATABASE_URL: databases.config.userdataUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      OPENAI_API_KEY: 'sk-simulator-openai',
      OPENAI_BASE_URL: `${openai.url}/v1`,
      GROQ_API_KEY: 'gsk-simulator-groq',
      GROQ_BASE_URL: `${groq.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
    };
    const path = env.PATH ?? '';

    const gatewayPort = await freePort();
    const gateway = await startAppProcess({
      name: 'gateway',
      cwd: `${appsDirectory}chat-gateway`,
      entry: 'src/server.ts',
      path,
      logFile: `${reportsDirectory}e2e-gateway.log`,
      env: {
        ...shared,
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        GATEWAY_ADMIN_KEY: adminKey,
        // The monitored website is on loopback; every other private address stays refused.
        USER_BASE_URL_ALLOWLIST: '127.0.0.1',
      },
    });
    cleanups.push(() => gateway.stop());
    const workerPort = await freePort();
    const worker = await startAppProcess({
      name: 'worker',
      cwd: `${appsDirectory}monitoring-worker`,
      entry: 'src/main.ts',
      path,
      logFile: `${reportsDirectory}e2e-worker.log`,
      env: { ...shared, WORKER_HEALTH_PORT: String(workerPort), WEBSITE_FETCH_ALLOWLIST: '127.0.0.1' },
    });
    cleanups.push(() => worker.stop());

    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await Promise.all([
      gateway.waitUntilReady(`${gatewayUrl}/ready`, startupTimeoutMs),
      worker.waitUntilReady(`http://127.0.0.1:${workerPort}/ready`, startupTimeoutMs),
    ]);

    await expectConsoleServed(gatewayUrl);

    const user = await seedStack({
      gatewayUrl,
      adminKey,
      websiteUrl: website.url,
      runId,
      // The primary fails its try and its one retry, so the first chat is answered by groq: a fallback to show.
      failFirstChat: () => openai.setFaults([{ type: 'server_error', times: 2 }]),
    });
    return { info: { gatewayUrl, consoleUrl: `${gatewayUrl}/console/`, adminKey, user }, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Fails at once, saying what to do, when the gateway has no console to serve (the browser would only time out). */
async function expectConsoleServed(gatewayUrl: string): Promise<void> {
  const response = await fetch(`${gatewayUrl}/console/`);
  if (response.ok) return;
  throw new Error(
    `the gateway answers ${response.status} at /console/ (${(await response.text()).slice(0, 200)}); ` +
      'build the console first: pnpm --filter @switchyard/console build (test:e2e does)',
  );
}

/** Deletes the run's keys: its prefix and its spend namespace (the prefix without braces). */
async function deleteRedisKeys(redisUrl: string, keyPrefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for (const pattern of [`${keyPrefix}*`, `${keyPrefix.slice(1, -1)}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
