/**
 * One measured website-analysis worker process of the bench. Takes its settings as one JSON argument, starts
 * consuming on the parent's `start` message and, on `stop`, closes and sends back what it spent where.
 */
import { createPlatformDb } from '@switchyard/db';
import { createJobWorker, createRedisConnection, queueNames } from '@switchyard/jobs';
import { createLlmClient, createOpenAIProvider, createPooledFetch } from '@switchyard/llm';
import { createWebsiteAnalysisProcessor } from '../src/processors/website-analysis-processor.js';
import { createTaskState, type TaskState } from '../src/task-state/index.js';
import { createPageFetcher } from '../src/website/fetch-page.js';

/** What the parent passes in. */
export interface WorkerProcessSettings {
  platformUrl: string;
  redisUrl: string;
  prefix: string;
  llmUrl: string;
  concurrency: number;
  poolMax: number;
}

/** What the process reports when stopped. */
export interface WorkerProcessReport {
  completed: number;
  failed: number;
  jobWallMs: number;
  runMs: number;
  /** CPU time of this process while it consumed, from `process.cpuUsage`: user space and kernel (syscalls). */
  cpu: { userMs: number; systemMs: number };
  spent: { postgresMs: number; fetchMs: number; llmMs: number };
}

const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessSettings;
const platform = createPlatformDb(settings.platformUrl, { poolMax: settings.poolMax });
const connection = createRedisConnection(settings.redisUrl, { role: 'worker' });
const fetcher = createPageFetcher({ allowlist: ['127.0.0.1'], connections: settings.concurrency });
// Three analyses per job run at once, so the pool needs three connections per job slot to never queue one.
const llmFetch = createPooledFetch({ connections: settings.concurrency * 3, timeouts: { connectMs: 5_000 } });
const llm = createLlmClient({
  providers: [
    createOpenAIProvider({ apiKey: 'sk-simulator-key', baseUrl: `${settings.llmUrl}/v1`, fetch: llmFetch }),
  ],
  defaultChain: [{ provider: 'openai', model: 'gpt-4o-mini' }],
  deadlineMs: 30_000,
});

const spent = { postgresMs: 0, fetchMs: 0, llmMs: 0 };
const timed =
  <A extends unknown[], R>(key: keyof typeof spent, run: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      return await run(...args);
    } finally {
      spent[key] += performance.now() - started;
    }
  };
const baseState = createTaskState({
  platform,
  retry: { baseMs: 60_000, maxMs: 86_400_000 },
  asynchronousCommit: true,
});
const taskState: TaskState = {
  begin: timed('postgresMs', baseState.begin),
  finish: timed('postgresMs', baseState.finish),
  fail: timed('postgresMs', baseState.fail),
  failLostJob: baseState.failLostJob,
};
const processor = createWebsiteAnalysisProcessor({
  taskState,
  fetcher: {
    fetch: timed('fetchMs', (url: string, signal: AbortSignal) => fetcher.fetch(url, signal)),
    close: () => fetcher.close(),
  },
  llm: { chat: timed('llmMs', (request, options) => llm.chat(request, options)) },
});
const worker = createJobWorker(queueNames.websiteAnalysis, processor, {
  connection,
  prefix: settings.prefix,
  concurrency: settings.concurrency,
  autorun: false,
});
let completed = 0;
let failed = 0;
let jobWallMs = 0;
worker.on('completed', (job) => {
  completed += 1;
  jobWallMs += (job.finishedOn ?? 0) - (job.processedOn ?? 0);
});
worker.on('failed', (job) => {
  if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) failed += 1;
});

let startedAt = 0;
let cpuAtStart = process.cpuUsage();
process.on('message', (message: string) => {
  if (message === 'start') {
    startedAt = performance.now();
    cpuAtStart = process.cpuUsage();
    void worker.run();
    return;
  }
  void (async () => {
    const runMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    await worker.close();
    await Promise.all([fetcher.close(), llmFetch.close(), platform.close()]);
    connection.disconnect();
    const report: WorkerProcessReport = {
      completed,
      failed,
      jobWallMs,
      runMs,
      cpu: { userMs: cpu.user / 1_000, systemMs: cpu.system / 1_000 },
      spent,
    };
    process.send?.(report, () => process.exit(0));
  })();
});
await worker.waitUntilReady();
process.send?.('ready');
