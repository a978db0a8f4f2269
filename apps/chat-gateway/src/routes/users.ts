import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from '@switchyard/db';
import { users } from '@switchyard/db/platform';
import { InvalidValueError, NotFoundError, withParam } from '../errors.js';
import { errorResponses, IdParamsSchema } from '../schemas/common.js';
import { AlertEnvelopeSchema, AlertListSchema, UsageSchema } from '../schemas/subscription.js';
import { RequestPageQuerySchema, RequestPageSchema, UsageBreakdownSchema } from '../schemas/usage.js';
import { MeSchema, PreferencesSchema } from '../schemas/users.js';
import { readPreferences, writePreferences } from '../services/preferences.js';
import { createRequestHistory } from '../services/request-history.js';

/** The caller's own account and routing preferences. */
const usersRoutes: FastifyPluginAsyncTypebox = (app) => {
  const security = [{ apiKey: [] }];
  const requestHistory = createRequestHistory(app.platform.db);

  app.get(
    '/api/users/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'The user behind the API key',
        security,
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const [user] = await app.platform.db
        .select()
        .from(users)
        .where(eq(users.id, principal.userId))
        .limit(1);
      if (!user) throw new NotFoundError('User');
      return {
        user: {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          status: user.status,
          createdAt: user.createdAt.toISOString(),
        },
        apiKey: { id: principal.keyId },
      };
    },
  );

  app.get(
    '/api/users/me/preferences',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Fallback order and default model',
        security,
        response: { 200: PreferencesSchema, ...errorResponses },
      },
    },
    (request) => readPreferences(app.userdata, request.principal!.userId),
  );

  app.put(
    '/api/users/me/preferences',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Set fallback order and default model',
        security,
        body: PreferencesSchema,
        response: { 200: PreferencesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const known = new Set(app.llm.providerIds());
      const unknown = request.body.fallbackOrder.find((provider) => !known.has(provider));
      if (unknown !== undefined)
        throw withParam(
          new InvalidValueError(
            `Unknown provider \`${unknown}\` in fallbackOrder; known: ${[...known].join(', ')}.`,
          ),
          'fallbackOrder',
        );
      await writePreferences(app.userdata, request.principal!.userId, request.body);
      await app.userRouting.invalidate(request.principal!.userId);
      return request.body;
    },
  );
  app.get(
    '/api/users/me/usage',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Your usage this month against your plan (as /api/subscription/usage/:userId)',
        security,
        response: { 200: UsageSchema, ...errorResponses },
      },
    },
    async (request) => ({
      success: true as const,
      data: await app.spend.reports.current(request.principal!.userId),
    }),
  );

  app.get(
    '/api/users/me/usage/breakdown',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Your usage this month per day and per provider/model (a few seconds behind)',
        security,
        response: { 200: UsageBreakdownSchema, ...errorResponses },
      },
    },
    (request) => requestHistory.monthBreakdown(request.principal!.userId),
  );

  app.get(
    '/api/users/me/requests',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary:
          'Your recent requests, newest first: provider, model, attempts, fallback, latency, tokens, cost',
        security,
        querystring: RequestPageQuerySchema,
        response: { 200: RequestPageSchema, ...errorResponses },
      },
    },
    (request) => {
      const { limit, before } = request.query;
      return requestHistory.recent(request.principal!.userId, limit, before ? new Date(before) : undefined);
    },
  );

  app.get(
    '/api/users/me/alerts',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Your usage alerts, unacknowledged first',
        security,
        response: { 200: AlertListSchema, ...errorResponses },
      },
    },
    async (request) => ({
      success: true as const,
      data: await app.spend.reports.alerts(request.principal!.userId),
    }),
  );

  app.post(
    '/api/users/me/alerts/:id/ack',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'Acknowledge one of your alerts',
        security,
        params: IdParamsSchema,
        response: { 200: AlertEnvelopeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const alert = await app.spend.reports.acknowledge(request.principal!.userId, request.params.id);
      if (!alert) throw new NotFoundError('Alert');
      return { success: true as const, data: alert };
    },
  );
  return Promise.resolve();
};

export default usersRoutes;
