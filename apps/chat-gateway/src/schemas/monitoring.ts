import { Type } from '@sinclair/typebox';
import { WebsiteUrlSchema } from './onboarding.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Nullable(Type.String({ format: 'date-time' }));

/** The three kinds of monitoring task. */
export const TaskTypeSchema = Type.Union([
  Type.Literal('website_analysis'),
  Type.Literal('oauth_token'),
  Type.Literal('platform_insights'),
]);

/** One monitoring task as the API shows it. */
export const MonitoringTaskSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  type: TaskTypeSchema,
  target: Type.String({ description: 'the website, or the platform (and site) the task watches' }),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description: 'per type: taskType/frequencyDays, platform/connectionId, platform/siteUrl',
  }),
  status: Type.String({ description: '`active`, `paused`, `failed` or `needs_intervention`' }),
  lastCheck: Instant,
  lastSuccess: Instant,
  nextCheck: Instant,
  consecutiveFailures: Type.Integer(),
  failureReason: Nullable(Type.String()),
  needsIntervention: Type.Boolean(),
  hint: Nullable(Type.String({ description: 'what the user can do when the task needs them' })),
});

/** `GET /api/monitoring/tasks` answer. */
export const MonitoringTaskListSchema = Type.Object({ tasks: Type.Array(MonitoringTaskSchema) });

/** The admin key's `?userId=`: whose rows to read (a user's key always reads its own). */
export const UserScopeQuerySchema = Type.Object({
  userId: Type.Optional(Type.String({ format: 'uuid', description: 'admin key only: whose rows' })),
});

/** `PATCH /api/monitoring/tasks/:id` body. */
export const TaskStatusPatchSchema = Type.Object(
  { status: Type.Union([Type.Literal('active'), Type.Literal('paused')]) },
  { additionalProperties: false },
);

/** `POST /api/monitoring/tasks/:id/run` answer. */
export const RunTaskSchema = Type.Object({
  jobId: Type.String(),
  queued: Type.Boolean({
    description: 'false when the same task already had a run queued: that job is answered',
  }),
});

/** One execution of a task. */
export const ExecutionLogSchema = Type.Object({
  id: Type.String(),
  executionDate: Type.String({ format: 'date-time' }),
  status: Type.String({ description: '`running`, `success`, `failed` or `skipped`' }),
  executionTimeMs: Type.Union([Type.Integer(), Type.Null()]),
  errorMessage: Nullable(Type.String()),
  resultData: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

/** Cursor query of lists newest first. */
export const CursorQuerySchema = Type.Object({
  ...UserScopeQuerySchema.properties,
  cursor: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,19}$', description: 'the `nextCursor` of the page before' }),
  ),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

/** `GET /api/monitoring/tasks/:id/logs` answer. */
export const ExecutionLogPageSchema = Type.Object({
  logs: Type.Array(ExecutionLogSchema),
  nextCursor: Nullable(Type.String({ description: 'null on the last page' })),
});

/** One result of a task: an analysis (with what changed since the one before) or an insights snapshot. */
export const TaskResultSchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  url: Type.String(),
  kind: Type.String({ description: '`website_analysis`, `competitor_analysis` or `insights_snapshot`' }),
  changes: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
});

/** `GET /api/monitoring/tasks/:id/results` answer. */
export const TaskResultListSchema = Type.Object({
  taskId: Type.String(),
  type: TaskTypeSchema,
  results: Type.Array(TaskResultSchema),
});

/** `POST /api/monitoring/competitors` body. */
export const CompetitorBodySchema = Type.Object({ url: WebsiteUrlSchema }, { additionalProperties: false });

/** `DELETE /api/monitoring/competitors` query. */
export const CompetitorQuerySchema = Type.Object({
  ...UserScopeQuerySchema.properties,
  url: WebsiteUrlSchema,
});

/** `POST /api/monitoring/competitors` answer. */
export const CompetitorTaskSchema = Type.Object({
  task: MonitoringTaskSchema,
  created: Type.Boolean(),
  jobId: Nullable(Type.String()),
});

/** A performance anomaly (service-wide metrics, or ones tagged with the user). */
export const AnomalySchema = Type.Object({
  id: Type.String(),
  metricName: Type.String(),
  tags: Type.String(),
  anomalyType: Type.String(),
  severity: Type.String(),
  observed: Type.Number(),
  expected: Type.Union([Type.Number(), Type.Null()]),
  detectedAt: Type.String({ format: 'date-time' }),
  resolvedAt: Instant,
});

/** `GET /api/monitoring/anomalies` answer. */
export const AnomalyListSchema = Type.Object({ anomalies: Type.Array(AnomalySchema) });

/** An alert raised for the user. */
export const AlertSchema = Type.Object({
  id: Type.String(),
  alertType: Type.String(),
  severity: Type.String(),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  acknowledgedAt: Instant,
});

/** `GET /api/monitoring/alerts` answer. */
export const AlertListSchema = Type.Object({ alerts: Type.Array(AlertSchema) });

/** A dispatcher pass (admin). */
export const SchedulerEventSchema = Type.Object({
  id: Type.String(),
  queue: Type.String(),
  found: Type.Integer(),
  enqueued: Type.Integer(),
  skipped: Type.Integer(),
  durationMs: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});

/** `GET /api/admin/monitoring/scheduler-events` answer. */
export const SchedulerEventPageSchema = Type.Object({
  events: Type.Array(SchedulerEventSchema),
  nextCursor: Nullable(Type.String()),
});

/** `GET /api/admin/monitoring/queues` answer: job counts per state of every queue. */
export const QueueCountsSchema = Type.Object({
  queues: Type.Record(Type.String(), Type.Record(Type.String(), Type.Integer())),
});
