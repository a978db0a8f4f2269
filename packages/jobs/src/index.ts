export {
  createRedisConnection,
  queuePrefix,
  type RedisConnectionOptions,
  type RedisRole,
} from './connection.js';
export { defaultJobOptions } from './job-options.js';
export { monitoringJobId } from './job-id.js';
export {
  dispatchPayloadSchema,
  jobReasonSchema,
  monitoringTaskPayloadSchema,
  payloadSchemas,
  performanceAnalysisPayloadSchema,
  type DispatchPayload,
  type JobReason,
  type MonitoringTaskPayload,
  type PayloadInputOf,
  type PayloadOf,
  type PerformanceAnalysisPayload,
} from './payloads.js';
export {
  monitoringTaskTypes,
  queueNames,
  queueOfTaskType,
  type MonitoringTaskType,
  type QueueName,
} from './queue-names.js';
export {
  createQueues,
  QueueUnavailableError,
  type EnqueueOptions,
  type EnqueueResult,
  type MonitoringTaskJob,
  type Queues,
  type QueuesOptions,
  type TypedQueue,
} from './queues.js';
export {
  cancelForShutdown,
  createJobWorker,
  isFinalAttempt,
  isShutdownAbort,
  WorkerShutdownError,
  type JobProcessor,
  type JobWorkerOptions,
} from './worker.js';
export { UnrecoverableError, DelayedError, type Job } from 'bullmq';
export {
  decodeUsageEvent,
  encodeUsageEvent,
  usageConsumerGroup,
  usageEventField,
  usageEventSchema,
  usagePartition,
  usageStreamKey,
  usageStreamKeys,
  type UsageEvent,
} from './usage-events.js';
