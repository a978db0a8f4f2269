/**
 * Worker benchmark, every row measured in this one run:
 * 1. a dispatcher cycle over 100,000 tasks (1,000 due), Postgres and Redis time apart;
 * 2. Redis only: no-op jobs through BullMQ; 3. Postgres only: begin + finish per task, synchronous and
 *    asynchronous commit side by side;
 * 4. end to end: 10,000 website analyses (dispatch -> BullMQ -> fetch the local site -> 3 LLM calls to the
 *    simulator -> Postgres) at concurrency 50 in total, in 1 and in 2 worker processes, with
 *    wall time per part and CPU time per process group (the machine is shared, so its other load is shown too).
 * BENCH_TOTAL_TASKS, BENCH_DUE_TASKS, BENCH_ANALYSIS_TASKS, BENCH_CONCURRENCY, BENCH_POOL_MAX and
 * BENCH_WORKER_PROCESSES (default 1,2) shrink or reshape it.
 */
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { sql } from '@switchyard/db';
import { createTestDatabases } from '@switchyard/db/testing';
import {
  createJobWorker,
  createQueues,
  createRedisConnection,
  queueNames,
  type Queues,
} from '@switchyard/jobs';
import { createDispatcher } from '../src/dispatcher.js';
import { createTaskState } from '../src/task-state/index.js';
import { cpuSpent, sampleCpu } from './cpu-usage.js';
import type { WorkerProcessReport, WorkerProcessSettings } from './worker-process.js';

const env = readProcessEnv();
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const totalTasks = Number(env.BENCH_TOTAL_TASKS ?? 100_000);
const dueTasks = Number(env.BENCH_DUE_TASKS ?? 1_000);
const analysisTasks = Number(env.BENCH_ANALYSIS_TASKS ?? 10_000);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 50);

const prefix = `{sy-bench-${randomUUID().slice(0, 8)}}`;
const poolMax = Number(env.BENCH_POOL_MAX ?? 24);
const databases = await createTestDatabases({ poolMax });
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
  const dispatcher = createDispatcher({
    db: platform,
    queues: timedQueues(queues, timer),
    batchSize: 1_000,
    leaseMs: 600_000,
  });
  const cycles: Array<{ totalMs: number; redisMs: number; enqueued: number }> = [];
  for (let run = 0; run < 5; run += 1) {
    await platform.execute(
      sql`update website_analysis_tasks set next_check = now() - interval '1 hour' where website_url like 'https://site-%' and split_part(split_part(website_url, '-', 2), '.', 1)::int <= ${dueTasks}`,
    );
    await clearQueue(queueNames.websiteAnalysis);
    timer.redisMs = 0;
    const started = performance.now();
    const result = await dispatcher.runCycle();
    cycles.push({ totalMs: performance.now() - started, redisMs: timer.redisMs, enqueued: result.enqueued });
  }
  const cycleMs = median(cycles.map((cycle) => cycle.totalMs));
  const cycleRedisMs = median(cycles.map((cycle) => cycle.redisMs));
  print(
    `dispatcher cycle, ${totalTasks} tasks / ${dueTasks} due (median of 5)`,
    `${cycleMs.toFixed(1)} ms (target < 500 ms)`,
  );
  print('  of which Postgres (claim + lease + event log)', `${(cycleMs - cycleRedisMs).toFixed(1)} ms`);
  print('  of which Redis (dedupe check + addBulk)', `${cycleRedisMs.toFixed(1)} ms`);
  print('  jobs enqueued per cycle', String(cycles[0]?.enqueued ?? 0));
  await clearQueue(queueNames.websiteAnalysis);
  await platform.execute(sql`truncate website_analysis_tasks cascade`);

  // --- 2. Redis only: the same number of no-op jobs through BullMQ ---
  {
    const worker = createJobWorker(queueNames.performanceAnalysis, () => Promise.resolve(null), {
      connection: workerConnection,
      prefix,
      concurrency,
      autorun: false,
    });
    let done = 0;
    const finished = new Promise<void>((resolve) =>
      worker.on('completed', () => (++done === analysisTasks ? resolve() : undefined)),
    );
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
    print(
      `Redis only: ${analysisTasks} no-op jobs through BullMQ, concurrency ${concurrency}`,
      `${(analysisTasks / seconds).toFixed(0)} jobs/s`,
    );
    await clearQueue(queueNames.performanceAnalysis);
  }

  // --- 3. Postgres only: begin + finish (with the analysis row) of each task, synchronous vs asynchronous commit ---
  const insertTasks = async (siteUrl: string) =>
    (
      await platform.execute<{ id: string; user_id: string }>(sql`
        insert into website_analysis_tasks (user_id, website_url, task_type, frequency_days)
        select gen_random_uuid(), ${siteUrl} || '?n=' || n, 'user_website', 30 from generate_series(1, ${analysisTasks}) as n
        returning id, user_id`)
    ).rows;
  for (const asynchronousCommit of [false, true]) {
    const tasks = await insertTasks('https://postgres-only.example/');
    const taskState = createTaskState({
      platform: databases.platform,
      retry: { baseMs: 60_000, maxMs: 86_400_000 },
      asynchronousCommit,
    });
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let task = tasks[next++]; task !== undefined; task = tasks[next++]) {
          const begun = await taskState.begin('website_analysis', task.id, {
            jobId: `pg.${task.id}`,
            dueAt: Date.now(),
            attempt: 1,
          });
          if (begun.outcome !== 'run') throw new Error(`unexpected ${begun.outcome}`);
          await taskState.finish('website_analysis', task.id, begun.logId, Date.now() - 60_000, {
            status: 'success',
            resultData: {},
            nextCheckAt: new Date(Date.now() + 86_400_000),
            result: {
              table: 'website_analyses',
              idKey: 'analysisId',
              row: {
                task_id: task.id,
                user_id: task.user_id,
                url: 'https://postgres-only.example/',
                fetched_data: { status: 200 },
              },
            },
          });
        }
      }),
    );
    const seconds = (performance.now() - started) / 1_000;
    print(
      `Postgres only: ${analysisTasks} begin + finish, ${asynchronousCommit ? 'asynchronous' : 'synchronous'} commit`,
      `${(analysisTasks / seconds).toFixed(0)} tasks/s`,
    );
    await platform.execute(sql`truncate website_analysis_tasks cascade`);
  }

  // --- 4. End to end: dispatch -> BullMQ -> fetch -> 3 LLM calls -> Postgres, in 1 and in 2 worker processes ---
  const simulators = spawn(
    process.execPath,
    [
      '--conditions=@switchyard/source',
      '--import',
      'tsx',
      fileURLToPath(new URL('simulators-process.ts', import.meta.url)),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: simulators.stdout }), 'line')) as [string];
  const { siteUrl, llmUrl } = JSON.parse(line) as { siteUrl: string; llmUrl: string };
  const databaseName = new URL(databases.config.platformUrl).pathname.slice(1);
  const columns: Array<{ label: string; values: Record<string, string> }> = [];
  // BENCH_CPU_PROFILE_DIR=/tmp/x writes a .cpuprofile of every worker process (open in Chrome DevTools).
  const profile =
    env.BENCH_CPU_PROFILE_DIR === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROFILE_DIR}`];
  const processCounts = (env.BENCH_WORKER_PROCESSES ?? '1,2').split(',').map(Number);
  try {
    for (const processCount of processCounts) {
      const settings: WorkerProcessSettings = {
        platformUrl: databases.config.platformUrl,
        redisUrl,
        prefix,
        llmUrl,
        concurrency: Math.ceil(concurrency / processCount),
        poolMax: Math.ceil(poolMax / processCount),
      };
      const children = Array.from({ length: processCount }, () =>
        fork(fileURLToPath(new URL('worker-process.ts', import.meta.url)), [JSON.stringify(settings)], {
          execArgv: ['--conditions=@switchyard/source', '--import', 'tsx', ...profile],
        }),
      );
      await Promise.all(children.map((child) => once(child, 'message')));
      await insertTasks(`${siteUrl}/`);
      const bigDispatcher = createDispatcher({
        db: platform,
        queues,
        batchSize: analysisTasks,
        leaseMs: 600_000,
      });
      const dispatchStarted = performance.now();
      await bigDispatcher.runCycle();
      const dispatchMs = performance.now() - dispatchStarted;
      const pids = { worker: children.map((child) => child.pid ?? 0), simulators: [simulators.pid ?? 0] };
      const cpuBefore = sampleCpu(pids, databaseName);
      const started = performance.now();
      for (const child of children) child.send('start');
      const queue = queues.queue(queueNames.websiteAnalysis);
      // A bench may poll; it waits for the queue to empty, checking 20 times a second.
      for (;;) {
        const counts = await queue.getJobCounts('completed', 'failed');
        if ((counts.completed ?? 0) + (counts.failed ?? 0) >= analysisTasks) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const seconds = (performance.now() - started) / 1_000;
      const cpu = cpuSpent(cpuBefore, sampleCpu(pids, databaseName));
      const reports = await Promise.all(
        children.map(async (child) => {
          const reported = once(child, 'message') as Promise<[WorkerProcessReport]>;
          child.send('stop');
          const [report] = await reported;
          await once(child, 'exit');
          return report;
        }),
      );
      const sum = (pick: (report: WorkerProcessReport) => number) =>
        reports.reduce((total, report) => total + pick(report), 0);
      const completed = sum((report) => report.completed);
      const perTask = (ms: number) => `${(ms / analysisTasks).toFixed(1)} ms`;
      const slotMs = sum((report) => report.runMs * settings.concurrency);
      const ours = (cpu.worker ?? 0) + (cpu.simulators ?? 0) + (cpu.postgres ?? 0) + (cpu.redis ?? 0);
      columns.push({
        label: `${processCount} process${processCount === 1 ? '' : 'es'} x ${settings.concurrency}`,
        values: {
          'tasks/s end to end (target >= 500)': (analysisTasks / seconds).toFixed(0),
          'completed / failed': `${completed} / ${sum((report) => report.failed)}`,
          'dispatch of all tasks (one cycle)': `${dispatchMs.toFixed(0)} ms`,
          'Postgres per task, wall (begin + finish)': perTask(sum((report) => report.spent.postgresMs)),
          'Redis/BullMQ per task, wall (slot time - job time)': perTask(
            slotMs - sum((report) => report.jobWallMs),
          ),
          'LLM per task, wall (3 calls at once, summed)': perTask(sum((report) => report.spent.llmMs)),
          'page fetch per task, wall': perTask(sum((report) => report.spent.fetchMs)),
          'job wall time per task': perTask(sum((report) => report.jobWallMs)),
          'CPU per task: worker processes': perTask(cpu.worker ?? 0),
          '  of which user / kernel (process.cpuUsage)': `${perTask(sum((report) => report.cpu.userMs))} / ${perTask(sum((report) => report.cpu.systemMs))}`,
          'CPU per task: site + LLM simulators': perTask(cpu.simulators ?? 0),
          'CPU per task: Postgres backends': perTask(cpu.postgres ?? 0),
          'CPU per task: Redis': perTask(cpu.redis ?? 0),
          'CPU per task: rest of the machine': perTask((cpu.machine ?? 0) - ours),
          'machine busy (of 2 cores)': `${((cpu.machine ?? 0) / (seconds * 1_000)).toFixed(2)} cores`,
          // What the same work would reach alone on the machine: its own CPU per task spread over both cores.
          'ceiling on 2 idle cores (2000 / our CPU per task)': `${(2_000 / (ours / analysisTasks)).toFixed(0)} tasks/s`,
        },
      });
      await queue.obliterate({ force: true });
      await platform.execute(sql`truncate website_analysis_tasks cascade`);
    }
  } finally {
    simulators.kill('SIGTERM');
    await once(simulators, 'exit');
  }
  console.log(
    `\nend to end: ${analysisTasks} website analyses, concurrency ${concurrency} in total (runs in order, left to right)`,
  );
  console.log(
    'each column: that many worker processes share the concurrency; the site and LLM simulators run in one separate process',
  );
  console.log(`${''.padEnd(52)} ${columns.map((column) => column.label.padStart(18)).join(' ')}`);
  for (const key of Object.keys(columns[0]?.values ?? {})) {
    console.log(
      `${key.padEnd(52)} ${columns.map((column) => (column.values[key] ?? '').padStart(18)).join(' ')}`,
    );
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
