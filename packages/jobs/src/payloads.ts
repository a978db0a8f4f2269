import { z } from 'zod';
import { queueNames, type QueueName } from './queue-names.js';

/** Why a monitoring job exists: the dispatcher found the task due, a user asked, or another job needs it. */
export const jobReasonSchema = z.enum(['scheduled', 'manual', 'onboarding', 'unauthorized']);

/** A job's reason. */
export type JobReason = z.infer<typeof jobReasonSchema>;

/** Payload of every monitoring-task job: which task, whose, and the due time the job stands for. */
export const monitoringTaskPayloadSchema = z.object({
  taskId: z.string().min(1),
  userId: z.string().min(1),
  reason: jobReasonSchema,
  /** Epoch ms of the due time this job answers; a success recorded after it makes the job a duplicate. */
  dueAt: z.number().int().nonnegative(),
});

/** A monitoring-task job payload. */
export type MonitoringTaskPayload = z.infer<typeof monitoringTaskPayloadSchema>;

/** Payload of a performance-analysis job: how far back the anomaly window reaches. */
export const performanceAnalysisPayloadSchema = z.object({
  reason: jobReasonSchema,
  windowMinutes: z
    .number()
    .int()
    .positive()
    .max(24 * 60)
    .default(60),
});

/** A performance-analysis job payload. */
export type PerformanceAnalysisPayload = z.infer<typeof performanceAnalysisPayloadSchema>;

/** Payload of a dispatch cycle job (fired by the job scheduler). */
export const dispatchPayloadSchema = z.object({}).loose();

/** A dispatch job payload. */
export type DispatchPayload = z.infer<typeof dispatchPayloadSchema>;

/** The payload schema of each queue. */
export const payloadSchemas = {
  [queueNames.oauthTokenMonitoring]: monitoringTaskPayloadSchema,
  [queueNames.websiteAnalysis]: monitoringTaskPayloadSchema,
  [queueNames.platformInsights]: monitoringTaskPayloadSchema,
  [queueNames.performanceAnalysis]: performanceAnalysisPayloadSchema,
  [queueNames.dispatch]: dispatchPayloadSchema,
} as const satisfies Record<QueueName, z.ZodType>;

/** The (parsed) payload type of a queue. */
export type PayloadOf<Q extends QueueName> = z.output<(typeof payloadSchemas)[Q]>;

/** The payload a producer passes for a queue (defaults may be omitted). */
export type PayloadInputOf<Q extends QueueName> = z.input<(typeof payloadSchemas)[Q]>;
