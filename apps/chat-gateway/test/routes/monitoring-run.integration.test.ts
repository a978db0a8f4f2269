import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { websiteAnalysisTasks } from '@switchyard/db/platform';
import { startOpenAISimulator, type ParsedCall, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

const workerDirectory = fileURLToPath(new URL('../../../monitoring-worker/', import.meta.url));
// Starts the worker as its own process (tsx compiles on start): slow on a busy 2-core machine.
const processTestTimeoutMs = 120_000;

/** Valid answers to the worker's three analysis prompts. */
function analysisAnswer(call: ParsedCall): string {
  if (call.prompt.includes('writing style'))
    return JSON.stringify({
      tone: 'warm',
      formality: 'informal',
      audience: 'gardeners',
      readingLevel: 'general',
      summary: 'Plain, friendly copy.',
    });
  if (call.prompt.includes('content patterns'))
    return JSON.stringify({ topics: ['tools'], formats: ['product pages'], recurringThemes: ['craft'] });
  if (call.prompt.includes('style guidelines'))
    return JSON.stringify({ guidelines: ['Be plain'], avoid: ['jargon'] });
  return '{}';
}

const page = `<!doctype html><html><head><title>Acme Tools</title>
<meta name="description" content="Hand-forged garden tools."></head>
<body><h1>Tools that last</h1><p>We forge every spade by hand in our workshop, for long days in the garden.</p></body></html>`;

let gateway: TestGateway;
let llm: Simulator;
let site: Server;
let siteUrl: string;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  gateway = await createTestGateway();
  llm = await startOpenAISimulator({ answer: analysisAnswer });
  site = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(page);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
  await new Promise<void>((resolve) => site?.close(() => resolve()));
  await llm?.close();
  await gateway?.close();
});

function startWorker(): ChildProcess {
  return spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: workerDirectory,
    env: {
      ...readProcessEnv(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PLATFORM_DATABASE_URL: gateway.databases.config.platformUrl,
      USERDATA_DATABASE_URL: gateway.databases.config.userdataUrl,
      REDIS_URL: gateway.config.redis.url,
      REDIS_KEY_PREFIX: gateway.keyPrefix,
      WORKER_HEALTH_PORT: '0',
      WEBSITE_FETCH_ALLOWLIST: '127.0.0.1',
      OPENAI_API_KEY: 'sk-simulator-key',
      OPENAI_BASE_URL: `${llm.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
      DISPATCH_INTERVAL_MS: '3600000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe('run now, end to end', () => {
  it(
    'answers one job for two clicks while it is queued; the worker runs it and its log shows through the API',
    async () => {
      const user = await gateway.createUser();
      // Not due for a day, so only the job asked for here runs it.
      const [task] = await gateway.databases.platform.db
        .insert(websiteAnalysisTasks)
        .values({
          userId: user.id,
          websiteUrl: siteUrl,
          taskType: 'user_website',
          nextCheck: new Date(Date.now() + 86_400_000),
        })
        .returning();
      const headers = { authorization: `Bearer ${user.key}` };
      const run = () =>
        gateway.app.inject({ method: 'POST', url: `/api/monitoring/tasks/${task!.id}/run`, headers });
      const first = await run();
      const second = await run();
      expect(first.statusCode).toBe(202);
      expect(second.json().jobId).toBe(first.json().jobId);
      const logsBefore = await gateway.app.inject({
        method: 'GET',
        url: `/api/monitoring/tasks/${task!.id}/logs`,
        headers,
      });
      expect(logsBefore.json().logs).toEqual([]);

      worker = startWorker();
      let logs: Array<{ status: string; resultData: { jobId?: string } | null }> = [];
      // The worker process starts (migrations verified, queues connected) and takes the job: poll the API as a user would.
      while (!logs.some((log) => log.status === 'success')) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const response = await gateway.app.inject({
          method: 'GET',
          url: `/api/monitoring/tasks/${task!.id}/logs`,
          headers,
        });
        logs = response.json<{ logs: typeof logs }>().logs;
      }
      expect(logs).toEqual([
        expect.objectContaining({
          status: 'success',
          resultData: expect.objectContaining({ jobId: first.json().jobId }),
        }),
      ]);
      const results = await gateway.app.inject({
        method: 'GET',
        url: `/api/monitoring/tasks/${task!.id}/results`,
        headers,
      });
      expect(results.json().results).toEqual([
        expect.objectContaining({ kind: 'website_analysis', url: siteUrl }),
      ]);

      // Finished: the next click queues a new run.
      const third = await run();
      expect(third.json()).toMatchObject({ queued: true });
      expect(third.json().jobId).not.toBe(first.json().jobId);
    },
    processTestTimeoutMs,
  );
});
