import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { InvalidValueError, withParam } from '../errors.js';
import {
  ErrorEnvelopeRefSchema,
  errorResponses,
  IdParamsSchema,
  NoContentSchema,
} from '../schemas/common.js';
import {
  AlertListSchema,
  AnomalyListSchema,
  CompetitorBodySchema,
  CompetitorQuerySchema,
  CompetitorTaskSchema,
  CursorQuerySchema,
  ExecutionLogPageSchema,
  MonitoringTaskListSchema,
  MonitoringTaskSchema,
  QueueCountsSchema,
  RunTaskSchema,
  SchedulerEventPageSchema,
  TaskResultListSchema,
  TaskStatusPatchSchema,
  UserScopeQuerySchema,
} from '../schemas/monitoring.js';
import { taskView } from '../services/monitoring-task-view.js';

const LimitQuerySchema = Type.Object({
  ...UserScopeQuerySchema.properties,
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

/**
 * Whose rows a request reads. A user's key: its own, always (`userId` naming anyone else is refused). The admin
 * key: the `userId` it names; where `required` is false and none is named, any user's (`undefined`).
 */
function ownerOf(request: FastifyRequest, userId: string | undefined, required: boolean): string | undefined {
  const principal = request.principal;
  if (principal !== undefined) {
    if (userId !== undefined && userId !== principal.userId)
      throw withParam(new InvalidValueError('`userId` can only be given with the admin key.'), 'userId');
    return principal.userId;
  }
  if (userId === undefined && required)
    throw withParam(new InvalidValueError('With the admin key, name the user with `?userId=`.'), 'userId');
  return userId;
}

/**
 * The monitoring API. Every route takes a user's key (their own rows only; someone else's task is a 404) or the
 * admin key (any user, named by `?userId=`); `/api/admin/monitoring/*` adds the scheduler's events and queue counts.
 */
const monitoringRoutes: FastifyPluginAsyncTypebox = (app) => {
  const security: Array<Record<string, string[]>> = [{ apiKey: [] }, { adminKey: [] }];
  const tags = ['monitoring'];
  const service = app.monitoring;

  app.get(
    '/api/monitoring/tasks',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Your monitoring tasks of all three types, with their state and what needs you',
        querystring: UserScopeQuerySchema,
        response: { 200: MonitoringTaskListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const owner = ownerOf(request, request.query.userId, true)!;
      return { tasks: (await service.listTasks(owner)).map(taskView) };
    },
  );

  app.patch(
    '/api/monitoring/tasks/:id',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Pause or resume a task (resuming one that needs intervention clears its failures)',
        params: IdParamsSchema,
        querystring: UserScopeQuerySchema,
        body: TaskStatusPatchSchema,
        response: { 200: MonitoringTaskSchema, ...errorResponses },
      },
    },
    async (request) => {
      const task = await service.findTask(request.params.id, ownerOf(request, request.query.userId, false));
      return taskView(await service.setStatus(task, request.body.status));
    },
  );

  app.post(
    '/api/monitoring/tasks/:id/run',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Run a task now (a `manual` job); while one is queued, answers the same job',
        params: IdParamsSchema,
        querystring: UserScopeQuerySchema,
        response: {
          202: RunTaskSchema,
          ...errorResponses,
          409: ErrorEnvelopeRefSchema,
          503: ErrorEnvelopeRefSchema,
        },
      },
    },
    async (request, reply) => {
      const task = await service.findTask(request.params.id, ownerOf(request, request.query.userId, false));
      return reply.code(202).send(await service.runNow(task));
    },
  );

  app.get(
    '/api/monitoring/tasks/:id/logs',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Execution logs of a task, newest first (cursor pagination)',
        params: IdParamsSchema,
        querystring: CursorQuerySchema,
        response: { 200: ExecutionLogPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const task = await service.findTask(request.params.id, ownerOf(request, request.query.userId, false));
      return service.logs(task, request.query.cursor, request.query.limit);
    },
  );

  app.get(
    '/api/monitoring/tasks/:id/results',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Results of a task, newest first: analyses with what changed, or insights snapshots',
        params: IdParamsSchema,
        querystring: LimitQuerySchema,
        response: { 200: TaskResultListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const task = await service.findTask(request.params.id, ownerOf(request, request.query.userId, false));
      return {
        taskId: task.row.id,
        type: task.type,
        results: await service.results(task, request.query.limit),
      };
    },
  );

  app.post(
    '/api/monitoring/competitors',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Watch a competitor website (at most 10): its analysis task and first run',
        querystring: UserScopeQuerySchema,
        body: CompetitorBodySchema,
        response: {
          200: CompetitorTaskSchema,
          201: CompetitorTaskSchema,
          ...errorResponses,
          409: ErrorEnvelopeRefSchema,
        },
      },
    },
    async (request, reply) => {
      const owner = ownerOf(request, request.query.userId, true)!;
      const added = await service.addCompetitor(owner, request.body.url);
      return reply.code(added.created ? 201 : 200).send({ ...added, task: taskView(added.task) });
    },
  );

  app.delete(
    '/api/monitoring/competitors',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Stop watching a competitor (`?url=`); its past analyses are kept',
        querystring: CompetitorQuerySchema,
        response: { 204: NoContentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const owner = ownerOf(request, request.query.userId, true)!;
      await service.removeCompetitor(owner, request.query.url);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/monitoring/anomalies',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Performance anomalies: service-wide ones and those of your usage (admin: all)',
        querystring: LimitQuerySchema,
        response: { 200: AnomalyListSchema, ...errorResponses },
      },
    },
    async (request) => ({
      anomalies: await service.anomalies(ownerOf(request, request.query.userId, false), request.query.limit),
    }),
  );

  app.get(
    '/api/monitoring/alerts',
    {
      onRequest: app.requireUserOrAdmin,
      schema: {
        tags,
        security,
        summary: 'Your alerts: tasks that need you, expiring connections, usage limits',
        querystring: LimitQuerySchema,
        response: { 200: AlertListSchema, ...errorResponses },
      },
    },
    async (request) => ({
      alerts: await service.alerts(ownerOf(request, request.query.userId, true)!, request.query.limit),
    }),
  );

  app.get(
    '/api/admin/monitoring/scheduler-events',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        security: [{ adminKey: [] }],
        summary: 'Dispatcher passes, newest first: due tasks found, enqueued, skipped',
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: SchedulerEventPageSchema, ...errorResponses },
      },
    },
    (request) => service.schedulerEvents(request.query.cursor, request.query.limit),
  );

  app.get(
    '/api/admin/monitoring/queues',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin', ...tags],
        security: [{ adminKey: [] }],
        summary: 'Job counts per state of every queue',
        response: { 200: QueueCountsSchema, ...errorResponses, 503: ErrorEnvelopeRefSchema },
      },
    },
    async () => ({ queues: await service.queueCounts() }),
  );

  return Promise.resolve();
};

export default monitoringRoutes;
