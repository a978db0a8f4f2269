import { queueNames, type Queues } from '@switchyard/jobs';
import type { QueueEvents } from 'bullmq';
import { TaskFailureError } from '../failures.js';

/** Asks the OAuth processor to refresh a connection now and waits until it has run. */
export type RequestTokenRefresh = (oauthTaskId: string, userId: string, signal: AbortSignal) => Promise<void>;

/**
 * Enqueues the OAuth task with reason `unauthorized` (which forces a refresh) and waits for that job through
 * BullMQ's queue events, so the insights job retries with the new token. The refresh runs on whichever worker
 * takes the OAuth queue, keeping token writes in one processor. `dueAt` is when the refusal was seen: the
 * processor refreshes under the connection's lock and skips the refresh when another one stored a token after
 * that moment, so concurrent refusals (or one beside the weekly check) cost one refresh, never a lost rotation.
 */
export function createRequestTokenRefresh(
  queues: Queues,
  oauthEvents: QueueEvents,
  timeoutMs = 60_000,
): RequestTokenRefresh {
  return async (oauthTaskId, userId, signal) => {
    const { jobId } = await queues.enqueueMonitoringTask({
      type: 'oauth_token',
      taskId: oauthTaskId,
      userId,
      reason: 'unauthorized',
      dueAt: Date.now(),
    });
    const job = await queues.queue(queueNames.oauthTokenMonitoring).getJob(jobId);
    if (job === undefined) return;
    signal.throwIfAborted();
    try {
      await job.waitUntilFinished(oauthEvents, timeoutMs);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskFailureError(
        `refreshing the access token failed: ${message}`.slice(0, 500),
        'auth_error',
      );
    }
  };
}
