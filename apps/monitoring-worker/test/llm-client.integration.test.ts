import {
  parseConfig,
  providersConfigSchema,
  redisConfigSchema,
  usageStreamConfigSchema,
} from '@switchyard/config';
import { eq } from '@switchyard/db';
import { websiteAnalyses, websiteAnalysisExecutionLogs } from '@switchyard/db/platform';
import { queueNames } from '@switchyard/jobs';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkerLlm, type WorkerLlm } from '../src/llm-client.js';
import { createPageFetcher } from '../src/website/fetch-page.js';
import {
  deleteRedisPrefix,
  insertWebsiteTask,
  redisUrl,
  startWorkerHarness,
  uniquePrefix,
  type WorkerHarness,
} from './helper.js';
import type { LocalServer } from './simulators/http-server.js';
import { analysisAnswer } from './simulators/llm-answers.js';
import { startWebsiteServer } from './simulators/website-server.js';

describe('the worker’s LLM client (breakers in Redis, shared with the gateway)', () => {
  let site: LocalServer;
  let simulator: Simulator;
  let llm: WorkerLlm;
  let harness: WorkerHarness;
  const llmPrefix = uniquePrefix();

  beforeAll(async () => {
    site = await startWebsiteServer();
    simulator = await startOpenAISimulator({ answer: analysisAnswer });
    const config = parseConfig(
      { providers: providersConfigSchema, redis: redisConfigSchema, usageStream: usageStreamConfigSchema },
      {
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: llmPrefix,
        OPENAI_API_KEY: 'sk-simulator-key',
        OPENAI_BASE_URL: `${simulator.url}/v1`,
        LLM_FALLBACK_ORDER: 'openai',
      },
    );
    // One failure opens the breaker and it turns half-open quickly, so the test sees the recovery.
    llm = await createWorkerLlm(config, {
      logger: pino({ level: 'silent' }),
      breaker: { failureThreshold: 1, cooldownMs: 300 },
    });
    harness = await startWorkerHarness({
      consume: [queueNames.websiteAnalysis],
      llm: llm.client,
      fetcher: createPageFetcher({ allowlist: ['127.0.0.1'] }),
    });
  });
  afterAll(async () => {
    await harness?.close();
    await llm?.close();
    await deleteRedisPrefix(llmPrefix);
    await Promise.all([site?.close(), simulator?.close()]);
  });

  const openaiState = async () =>
    (await llm.client.providerHealth()).find((health) => health.provider === 'openai')?.state;

  it('succeeds on its first run while the provider is half-open: the parallel analyses wait for the probe', async () => {
    // An outage opens the breaker.
    simulator.setFaults([{ type: 'server_error' }]);
    await expect(
      llm.client.chat(
        { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
        { signal: new AbortController().signal },
      ),
    ).rejects.toThrow();
    expect(await openaiState()).toBe('open');

    // The provider is back but slow to answer, so the probe is still out when the other analyses ask.
    simulator.setFaults([{ type: 'slow_first_token', delayMs: 500, times: 1 }]);
    await vi.waitFor(async () => expect(await openaiState()).toBe('half_open'), {
      timeout: 5_000,
      interval: 25,
    });
    const upstreamCalls = simulator.requests.length;
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/` });
    await harness.runTask('website_analysis', task.id, task.userId);

    const logs = await harness.databases.platform.db
      .select()
      .from(websiteAnalysisExecutionLogs)
      .where(eq(websiteAnalysisExecutionLogs.taskId, task.id));
    expect(logs.map((log) => log.status)).toEqual(['success']);
    const [analysis] = await harness.databases.platform.db
      .select()
      .from(websiteAnalyses)
      .where(eq(websiteAnalyses.taskId, task.id));
    expect(analysis?.styleAnalysis).toMatchObject({ tone: 'warm' });
    expect(simulator.requests.length - upstreamCalls).toBe(3);
    expect(await openaiState()).toBe('closed');
  });
});
