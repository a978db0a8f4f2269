import type { JobsOptions } from 'bullmq';
import { queueNames, type QueueName } from './queue-names.js';

const hour = 3_600;
const day = 24 * hour;

const monitoringJobOptions: JobsOptions = {
  attempts: 3,
  // Jitter spreads retries of tasks that failed together (a platform outage) so they do not return together.
  backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 },
  // Bounded so Redis (noeviction) never fills with finished jobs; kept long enough to dedupe a slot's job id.
  removeOnComplete: { age: day, count: 10_000 },
  removeOnFail: { age: 7 * day, count: 50_000 },
};

/** Default options of the jobs of each queue: attempts, exponential backoff with jitter, and retention bounds. */
export const defaultJobOptions: Record<QueueName, JobsOptions> = {
  [queueNames.oauthTokenMonitoring]: monitoringJobOptions,
  [queueNames.websiteAnalysis]: monitoringJobOptions,
  [queueNames.platformInsights]: monitoringJobOptions,
  [queueNames.performanceAnalysis]: {
    attempts: 2,
    backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
    removeOnComplete: { age: day, count: 200 },
    removeOnFail: { age: 7 * day, count: 1_000 },
  },
  // A missed dispatch cycle is simply the next cycle's work; never retry it.
  [queueNames.dispatch]: {
    attempts: 1,
    removeOnComplete: { count: 100 },
    removeOnFail: { age: day, count: 1_000 },
  },
};
