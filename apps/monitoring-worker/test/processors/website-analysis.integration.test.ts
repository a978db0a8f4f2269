import { websiteAnalyses, websiteAnalysisExecutionLogs, websiteAnalysisTasks } from '@switchyard/db/platform';
import { eq } from '@switchyard/db';
import { queueNames } from '@switchyard/jobs';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, MonitoringTaskPayload } from '@switchyard/jobs';
import type { MonitoringJobResult } from '../../src/processors/run-monitoring-task.js';
import { createWebsiteAnalysisProcessor } from '../../src/processors/website-analysis-processor.js';
import { createTaskState } from '../../src/task-state/index.js';
import { createPageFetcher } from '../../src/website/fetch-page.js';
import { insertWebsiteTask, simulatorLlm, startWorkerHarness, type WorkerHarness } from '../helper.js';
import type { LocalServer } from '../simulators/http-server.js';
import { analysisAnswer } from '../simulators/llm-answers.js';
import { startWebsiteServer } from '../simulators/website-server.js';

let harness: WorkerHarness;
let site: LocalServer & { setTitle(title: string): void };
let llm: Simulator;
let invalidAnswersLeft = 0;

beforeAll(async () => {
  site = await startWebsiteServer();
  llm = await startOpenAISimulator({
    answer: (call) => {
      if (invalidAnswersLeft > 0 && call.prompt.includes('writing style')) {
        invalidAnswersLeft -= 1;
        return 'Sure! The tone is warm.';
      }
      return analysisAnswer(call);
    },
  });
  harness = await startWorkerHarness({
    consume: [queueNames.websiteAnalysis],
    llm: simulatorLlm(llm.url),
    fetcher: createPageFetcher({ allowlist: ['127.0.0.1'] }),
  });
});

afterAll(async () => {
  await harness?.close();
  await Promise.all([site?.close(), llm?.close()]);
});

async function logsOf(taskId: string) {
  return harness.databases.platform.db
    .select()
    .from(websiteAnalysisExecutionLogs)
    .where(eq(websiteAnalysisExecutionLogs.taskId, taskId));
}

describe('website analysis processor', () => {
  it('fetches, parses and analyses a site, stores the analysis, schedules the next check, and reports what changed next time', async () => {
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/moved` });
    await harness.runTask('website_analysis', task.id, task.userId);

    const [analysis] = await harness.databases.platform.db
      .select()
      .from(websiteAnalyses)
      .where(eq(websiteAnalyses.taskId, task.id));
    expect(analysis?.fetchedData).toMatchObject({
      status: 200,
      title: 'Acme Garden Tools',
      metaDescription: 'Hand-forged garden tools, made to last.',
      canonical: 'https://acme.example/',
      robots: 'index,follow',
      openGraph: { title: 'Acme Garden Tools', type: 'website' },
      links: { internal: 2, external: 1, total: 3 },
      redirects: [`${site.url}/`],
    });
    expect(analysis?.styleAnalysis).toMatchObject({ tone: 'warm', audience: 'home gardeners' });
    expect(analysis?.contentAnalysis).toMatchObject({ topics: ['garden tools'] });
    expect(analysis?.guidelinesAnalysis).toMatchObject({ guidelines: ['Speak plainly'] });
    expect(analysis?.changes).toMatchObject({ first: true });

    const [row] = await harness.databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row?.lastSuccess).toBeInstanceOf(Date);
    const daysAhead = (row!.nextCheck!.getTime() - row!.lastSuccess!.getTime()) / 86_400_000;
    expect(Math.round(daysAhead)).toBe(30);
    const logs = await logsOf(task.id);
    expect(logs.map((log) => log.status)).toEqual(['success']);
    expect(logs[0]?.executionTimeMs).toBeGreaterThanOrEqual(0);

    site.setTitle('Acme Tools — Winter Sale');
    await harness.runTask('website_analysis', task.id, task.userId);
    const analyses = await harness.databases.platform.db
      .select()
      .from(websiteAnalyses)
      .where(eq(websiteAnalyses.taskId, task.id));
    expect(analyses).toHaveLength(2);
    const latest = analyses.find((entry) => entry.id !== analysis?.id);
    expect(latest?.changes).toMatchObject({
      first: false,
      changed: { title: { before: 'Acme Garden Tools', after: 'Acme Tools — Winter Sale' } },
    });
    site.setTitle('Acme Garden Tools');
  });

  it('asks the model once more when an analysis is not valid JSON', async () => {
    invalidAnswersLeft = 1;
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/` });
    await harness.runTask('website_analysis', task.id, task.userId);
    const [analysis] = await harness.databases.platform.db
      .select()
      .from(websiteAnalyses)
      .where(eq(websiteAnalyses.taskId, task.id));
    expect(analysis?.styleAnalysis).toMatchObject({ tone: 'warm' });
    expect(invalidAnswersLeft).toBe(0);
  });

  it('records a failing site as a failed run with a classified reason and backs the task off', async () => {
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/broken` });
    await expect(harness.runTask('website_analysis', task.id, task.userId)).rejects.toThrow(
      /network_error: the website answered 500/,
    );
    const logs = await logsOf(task.id);
    // Two BullMQ attempts (test setting), each its own failed run; only the last one counts on the task.
    expect(logs.map((log) => log.status)).toEqual(['failed', 'failed']);
    expect(logs.map((log) => log.resultData?.willRetry)).toEqual([true, false]);
    const [row] = await harness.databases.platform.db
      .select()
      .from(websiteAnalysisTasks)
      .where(eq(websiteAnalysisTasks.id, task.id));
    expect(row).toMatchObject({
      status: 'active',
      consecutiveFailures: 1,
      failurePattern: { lastClass: 'network_error' },
    });
    expect(row?.failureReason).toMatch(/^network_error/);
    const delay = row!.nextCheck!.getTime() - row!.lastFailure!.getTime();
    // TASK_RETRY_BASE_MS=60000 with ±20% jitter for the first failure.
    expect(delay).toBeGreaterThanOrEqual(48_000);
    expect(delay).toBeLessThanOrEqual(72_000);
  });

  it('refuses a site that redirects into the private network, without retrying', async () => {
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/to-private` });
    await expect(harness.runTask('website_analysis', task.id, task.userId)).rejects.toThrow(
      /config_error: refused to fetch 10\.0\.0\.5/,
    );
    expect((await logsOf(task.id)).map((log) => log.status)).toEqual(['failed']);
  });

  it('never runs a paused task', async () => {
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/`, status: 'paused' });
    const result = await harness.runTask('website_analysis', task.id, task.userId);
    expect(result).toEqual({ outcome: 'skipped', reason: 'paused' });
    expect(
      await harness.databases.platform.db
        .select()
        .from(websiteAnalyses)
        .where(eq(websiteAnalyses.taskId, task.id)),
    ).toHaveLength(0);
    expect((await logsOf(task.id)).map((log) => log.status)).toEqual(['skipped']);
  });

  it('produces one success and one analysis when the same job is delivered twice at once', async () => {
    const task = await insertWebsiteTask(harness, { websiteUrl: `${site.url}/` });
    const fetcher = createPageFetcher({ allowlist: ['127.0.0.1'] });
    const processor = createWebsiteAnalysisProcessor({
      taskState: createTaskState({
        platform: harness.databases.platform,
        retry: { baseMs: 1_000, maxMs: 10_000 },
        asynchronousCommit: true,
      }),
      fetcher,
      llm: simulatorLlm(llm.url),
    });
    const payload = { taskId: task.id, userId: task.userId, reason: 'manual' as const, dueAt: Date.now() };
    // What BullMQ hands a processor when a job's lock was lost while its first delivery still ran.
    const job = {
      id: `website-analysis.${task.id}.manual-${payload.dueAt}`,
      attemptsMade: 0,
      opts: { attempts: 3 },
      data: payload,
    } as unknown as Job<MonitoringTaskPayload, MonitoringJobResult>;
    try {
      const results = await Promise.all([
        processor(job, payload, new AbortController().signal),
        processor(job, payload, new AbortController().signal),
      ]);
      const outcomes = results.map((result) => result.outcome);
      expect(outcomes.filter((outcome) => outcome === 'success')).toHaveLength(1);
      // The other delivery raced it (skipped at finish) or, on a busy machine, began after it succeeded (duplicate).
      expect(['skipped', 'duplicate']).toContain(outcomes.find((outcome) => outcome !== 'success'));
      const again = await processor(job, payload, new AbortController().signal);
      expect(again.outcome).toBe('duplicate');
    } finally {
      await fetcher.close();
    }
    expect(
      await harness.databases.platform.db
        .select()
        .from(websiteAnalyses)
        .where(eq(websiteAnalyses.taskId, task.id)),
    ).toHaveLength(1);
    const statuses = (await logsOf(task.id)).map((log) => log.status);
    expect(statuses.filter((status) => status === 'success')).toHaveLength(1);
    expect(statuses.every((status) => status === 'success' || status === 'skipped')).toBe(true);
  });
});
