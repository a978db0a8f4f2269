/**
 * Worker benchmark: a dispatcher cycle over 100,000 tasks (1,000 due), then 10,000 website analyses end to end
 * (dispatch -> BullMQ -> fetch local site -> 3 LLM calls to the simulator -> Postgres) at concurrency 50,
 * with Redis-only and Postgres-only runs of the same volume side by side. Prints numbers and ratios.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { sql } from '@switchyard/db';
import { createTestDatabases } from '@switchyard/db/testing';
import { createJobWorker, createQueues, createRedisConnection, queueNames, type Queues } from '@switchyard/jobs';
import { createLlmClient, createOpenAIProvider, createPooledFetch } from '@switchyard/llm';
import { createDispatcher } from '../src/dispatcher.js';
import { createWebsiteAnalysisProcessor } from '../src/processors/website-analysis-processor.js';
import { createTaskState, type TaskState } from '../src/task-state.js';
import { createPageFetcher } from '../src/website/fetch-page.js';

const env = readProcessEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const totalTasks = Number(env.BENCH_TOTAL_TASKS ?? 100_000);
const dueTasks = Number(env.BENCH_DUE_TASKS ?? 1_000);
const analysisTasks = Number(env.BENCH_ANALYSIS_TASKS ?? 10_000);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 50);

const prefix = `{sy-bench-${randomUUID().slice(0, 8)}}`;
const databases = await createTestDatabases({ poolMax: Number(env.BENCH_POOL_MAX ?? 24) });
const producerConnection = createRedisConnection(redisUrl, { role: 'producer' });
const workerConnection = createRedisConnection(redisUrl, { role: 'worker' });
const queues = createQueues(producerConnection, { prefix });
const platform = databases.platform.db;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Wraps `enqueueMany` to time Redis separately inside a dispatcher cycle. */
function timedQueues(inner: Queues, timer: { redisMs: number }): Queues {
  return {
    ...inner,
    async enqueueMany(name, jobs) {
      const started = performance.now();
      try {
        return await inner.enqueueMany(name, jobs);
      } finally {
        timer.redisMs += performance.now() - started;
      }
    },
  };
}

async function clearQueue(name: (typeof queueNames)[keyof typeof queueNames]) {
  await queues.queue(name).obliterate({ force: true });
}

const rows: Array<[string, string]> = [];
const print = (label: string, value: string) => {
  rows.push([label, value]);
  console.log(`${label.padEnd(58)} ${value}`);
};

try {
  // --- 1. Dispatcher cycle over 100,000 tasks, 1,000 due ---
  await platform.execute(sql`
    insert into website_analysis_tasks (user_id, website_url, task_type, next_check)
    select gen_random_uuid(), 'https://site-' || n || '.example/', 'competitor',
      case when n <= ${dueTasks} then now() - interval '1 hour' else now() + (n || ' minutes')::interval end
    from generate_series(1, ${totalTasks}) as n`);
  await platform.execute(sql`analyze website_analysis_tasks`);
  const timer = { redisMs: 0 };
  const dispatcher = createDispatcher({ db: platform, queues: timedQueues(queues, timer), batchSize: 1_000, leaseMs: 600_000 });
  const cycles: Array<{ totalMs: number; redisMs: number; enqueued: number }> = [];
  for (let run = 0; run < 5; run += 1) {
    await platform.execute(sql`update website_analysis_tasks set next_check = now() - interval '1 hour' where website_url like 'https://site-%' and split_part(split_part(website_url, '-', 2), '.', 1)::int <= ${dueTasks}`);
    await clearQueue(queueNames.websiteAnalysis);
    timer.redisMs = 0;
    const started = performance.now();
    const result = await dispatcher.runCycle();
    cycles.push({ totalMs: performance.now() - started, redisMs: timer.redisMs, enqueued: result.enqueued });
  }
  const cycleMs = median(cycles.map((cycle) => cycle.totalMs));
  const cycleRedisMs = median(cycles.map((cycle) => cycle.redisMs));
  print(`dispatcher cycle, ${totalTasks} tasks / ${dueTasks} due (median of 5)`, `${cycleMs.toFixed(1)} ms (target < 500 ms)`);
  print('  of which Postgres (claim + lease + event log)', `${(cycleMs - cycleRedisMs).toFixed(1)} ms`);
  print('  of which Redis (dedupe check + addBulk)', `${cycleRedisMs.toFixed(1)} ms`);
  print('  jobs enqueued per cycle', String(cycles[0]?.enqueued ?? 0));
  await clearQueue(queueNames.websiteAnalysis);
  await platform.execute(sql`truncate website_analysis_tasks cascade`);

  // --- 2. Redis only: the same number of no-op jobs through BullMQ ---
  {
    const worker = createJobWorker(queueNames.performanceAnalysis, () => Promise.resolve(null), { connection: workerConnection, prefix, concurrency, autorun: false });
    let done = 0;
    const finished = new Promise<void>((resolve) => worker.on('completed', () => (++done === analysisTasks ? resolve() : undefined)));
    for (let offset = 0; offset < analysisTasks; offset += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, analysisTasks - offset) }, (_unused, index) => ({
        payload: { reason: 'manual' as const },
        options: { jobId: `noop.${offset + index}` },
      }));
      await queues.enqueueMany(queueNames.performanceAnalysis, batch);
    }
    const started = performance.now();
    void worker.run();
    await finished;
    const seconds = (performance.now() - started) / 1_000;
    await worker.close();
    print(`Redis only: ${analysisTasks} no-op jobs through BullMQ, concurrency ${concurrency}`, `${(analysisTasks / seconds).toFixed(0)} jobs/s`);
    await clearQueue(queueNames.performanceAnalysis);
  }

  // --- 3. Postgres only: begin + finish of each task (execution log + task row), concurrency 50 ---
  const insertTasks = async (siteUrl: string) =>
    (
      await platform.execute<{ id: string; user_id: string }>(sql`
        insert into website_analysis_tasks (user_id, website_url, task_type, frequency_days)
        select gen_random_uuid(), ${siteUrl} || '?n=' || n, 'user_website', 30 from generate_series(1, ${analysisTasks}) as n
        returning id, user_id`)
    ).rows;
  {
    const tasks = await insertTasks('https://postgres-only.example/');
    const taskState = createTaskState({ db: platform, retry: { baseMs: 60_000, maxMs: 86_400_000 } });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < tasks.length) {
          const task = tasks[next++]!;
          const begun = await taskState.begin('website_analysis', task.id, { jobId: `pg.${task.id}`, dueAt: Date.now(), attempt: 1 });
          if (begun.outcome !== 'run') throw new Error(`unexpected ${begun.outcome}`);
          await taskState.finish('website_analysis', task.id, begun.logId, Date.now() - 60_000, { status: 'success', resultData: {}, nextCheckAt: new Date(Date.now() + 86_400_000) });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1_000;
    print(`Postgres only: ${analysisTasks} task state transitions, concurrency ${concurrency}`, `${(analysisTasks / seconds).toFixed(0)} tasks/s`);
    await platform.execute(sql`truncate website_analysis_tasks cascade`);
  }

  // --- 4. End to end: dispatch -> BullMQ -> fetch -> 3 LLM calls -> Postgres ---
  {
    const simulators = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', fileURLToPath(new URL('simulators-process.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: simulators.stdout }), 'line')) as [string];
    const { siteUrl, llmUrl } = JSON.parse(line) as { siteUrl: string; llmUrl: string };
    const site = { url: siteUrl };
    const simulator = { url: llmUrl };
    const fetcher = createPageFetcher({ allowlist: ['127.0.0.1'], connections: concurrency });
    const llmFetch = createPooledFetch({ connections: concurrency * 3, timeouts: { connectMs: 5_000 } });
    const llm = createLlmClient({
      providers: [createOpenAIProvider({ apiKey: 'sk-simulator-key', baseUrl: `${simulator.url}/v1`, fetch: llmFetch })],
      defaultChain: [{ provider: 'openai', model: 'gpt-4o-mini' }],
      deadlineMs: 30_000,
    });
    const spent = { postgresMs: 0, fetchMs: 0, llmMs: 0 };
    const baseState = createTaskState({ db: platform, retry: { baseMs: 60_000, maxMs: 86_400_000 } });
    const timed = <A extends unknown[], R>(key: keyof typeof spent, run: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        return await run(...args);
      } finally {
        spent[key] += performance.now() - started;
      }
    };
    const taskState: TaskState = { begin: timed('postgresMs', baseState.begin), finish: timed('postgresMs', baseState.finish), fail: timed('postgresMs', baseState.fail) };
    const processor = createWebsiteAnalysisProcessor({
      taskState,
      fetcher: { fetch: timed('fetchMs', (url: string, signal: AbortSignal) => fetcher.fetch(url, signal)), close: () => fetcher.close() },
      llm: { chat: timed('llmMs', (request, options) => llm.chat(request, options)) },
    });
    await insertTasks(`${site.url}/`);
    const worker = createJobWorker(queueNames.websiteAnalysis, processor, { connection: workerConnection, prefix, concurrency, autorun: false });
    let completed = 0;
    let failed = 0;
    let jobWallMs = 0;
    const finished = new Promise<void>((resolve) => {
      const check = () => (completed + failed === analysisTasks ? resolve() : undefined);
      worker.on('completed', (job) => {
        completed += 1;
        jobWallMs += (job.finishedOn ?? 0) - (job.processedOn ?? 0);
        check();
      });
      worker.on('failed', (job) => {
        if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) failed += 1;
        check();
      });
    });
    const bigDispatcher = createDispatcher({ db: platform, queues, batchSize: analysisTasks, leaseMs: 600_000 });
    const started = performance.now();
    void worker.run();
    const dispatchStarted = performance.now();
    await bigDispatcher.runCycle();
    const dispatchMs = performance.now() - dispatchStarted;
    await finished;
    const seconds = (performance.now() - started) / 1_000;
    await worker.close();
    simulators.kill('SIGTERM');
    await Promise.all([once(simulators, 'exit'), fetcher.close(), llmFetch.close()]);
    const perTask = (ms: number) => `${(ms / analysisTasks).toFixed(2)} ms/task`;
    print(`end to end: ${analysisTasks} website analyses, concurrency ${concurrency}`, `${(analysisTasks / seconds).toFixed(0)} tasks/s (target >= 500/s)`);
    print('  completed / failed', `${completed} / ${failed}`);
    print('  dispatch of all tasks (one cycle)', `${dispatchMs.toFixed(0)} ms`);
    print('  Postgres time inside jobs (begin + finish)', perTask(spent.postgresMs));
    print('  page fetch + parse', perTask(spent.fetchMs));
    print('  LLM calls (3 per task, in parallel; summed)', perTask(spent.llmMs));
    print('  job wall time (BullMQ processedOn -> finishedOn)', perTask(jobWallMs));
    const slotPerTask = (seconds * 1_000 * concurrency) / analysisTasks;
    print('  Redis/BullMQ per task (worker slot time - job wall time)', `${(slotPerTask - jobWallMs / completed).toFixed(2)} ms/task`);
  }
} finally {
  await queues.close();
  producerConnection.disconnect();
  workerConnection.disconnect();
  await databases.drop();
  const cleanup = createRedisConnection(redisUrl, { role: 'worker' });
  let cursor = '0';
  do {
    const [next, keys] = await cleanup.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await cleanup.del(...keys);
  } while (cursor !== '0');
  cleanup.disconnect();
}
