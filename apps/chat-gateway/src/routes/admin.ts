import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { asc, eq } from '@switchyard/db';
import { subscriptionPlans, users } from '@switchyard/db/platform';
import { NotFoundError, InvalidValueError, withParam } from '../errors.js';
import {
  errorResponses,
  ErrorEnvelopeRefSchema,
  IdParamsSchema,
  NoContentSchema,
  PaginationQuerySchema,
} from '../schemas/common.js';
import {
  AssignSubscriptionSchema,
  CreatePlanSchema,
  PlanEnvelopeSchema,
  PlanListSchema,
  PlanNameParamsSchema,
  SubscriptionSchema,
  UpdatePlanSchema,
} from '../schemas/subscription.js';
import {
  CreateApiKeySchema,
  CreateUserSchema,
  DirectoryPageSchema,
  IssuedApiKeySchema,
  UserSchema,
} from '../schemas/users.js';
import { createPlanAdmin, planView } from '../services/plan-admin.js';
import { createUserDirectory } from '../services/user-directory.js';

/** Admin endpoints (GATEWAY_ADMIN_KEY): create users, issue and revoke API keys, plans and subscriptions. */
const adminRoutes: FastifyPluginAsyncTypebox = (app) => {
  const security = [{ adminKey: [] }];
  const { db } = app.platform;
  const planAdmin = createPlanAdmin({ db, plans: app.spend.plans });
  const listUsers = createUserDirectory(db);

  app.get(
    '/api/admin/users',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Users, newest first, with their plan and API keys',
        security,
        querystring: PaginationQuerySchema,
        response: { 200: DirectoryPageSchema, ...errorResponses },
      },
    },
    (request) => {
      const { limit, before } = request.query;
      return listUsers(limit, before ? new Date(before) : undefined);
    },
  );

  app.get(
    '/api/admin/plans',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Every plan, inactive ones too',
        security,
        response: { 200: PlanListSchema, ...errorResponses },
      },
    },
    async () => {
      const rows = await db
        .select()
        .from(subscriptionPlans)
        .orderBy(asc(subscriptionPlans.sortOrder), asc(subscriptionPlans.name));
      return { success: true as const, data: rows.map(planView) };
    },
  );

  app.post(
    '/api/admin/users',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Create a user',
        security,
        body: CreateUserSchema,
        response: { 201: UserSchema, ...errorResponses, 409: ErrorEnvelopeRefSchema },
      },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      const [row] = await db
        .insert(users)
        .values({ email, name: request.body.name ?? null, role: request.body.role ?? 'user' })
        .onConflictDoNothing()
        .returning();
      if (!row)
        throw Object.assign(
          withParam(new InvalidValueError(`A user with email ${email} already exists.`), 'email'),
          { statusCode: 409 },
        );
      return reply.code(201).send({ ...row, createdAt: row.createdAt.toISOString() });
    },
  );

  app.post(
    '/api/admin/users/:id/api-keys',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Issue an API key (shown once)',
        security,
        params: IdParamsSchema,
        body: CreateApiKeySchema,
        response: { 201: IssuedApiKeySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const [user] = await db
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, request.params.id))
        .limit(1);
      if (!user) throw new NotFoundError('User');
      const issued = await app.apiKeys.issue(user.id, request.body?.name);
      return reply.code(201).send({ ...issued, createdAt: issued.createdAt.toISOString() });
    },
  );

  app.delete(
    '/api/admin/api-keys/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key on every replica within a second',
        security,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await app.apiKeys.revoke(request.params.id))) throw new NotFoundError('Active API key');
      return reply.code(204).send(null);
    },
  );
  app.put(
    '/api/admin/users/:id/subscription',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Put a user on a plan (the period starts now); every replica enforces it at once',
        security,
        params: IdParamsSchema,
        body: AssignSubscriptionSchema,
        response: { 200: SubscriptionSchema, ...errorResponses },
      },
    },
    async (request) => ({
      success: true as const,
      data: await planAdmin.assign(request.params.id, request.body.plan, request.body.billingCycle),
    }),
  );

  app.post(
    '/api/admin/plans',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Create a plan (limits: 0 or absent = unlimited)',
        security,
        body: CreatePlanSchema,
        response: { 201: PlanEnvelopeSchema, ...errorResponses, 409: ErrorEnvelopeRefSchema },
      },
    },
    async (request, reply) => {
      const plan = await planAdmin.create(request.body);
      if (!plan)
        throw Object.assign(
          withParam(new InvalidValueError(`A plan named ${request.body.name} already exists.`), 'name'),
          { statusCode: 409 },
        );
      return reply.code(201).send({ success: true as const, data: plan });
    },
  );

  app.put(
    '/api/admin/plans/:name',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Change a plan; its subscribers get the new limits on every replica at once',
        security,
        params: PlanNameParamsSchema,
        body: UpdatePlanSchema,
        response: { 200: PlanEnvelopeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const plan = await planAdmin.update(request.params.name, request.body);
      if (!plan) throw new NotFoundError('Plan');
      return { success: true as const, data: plan };
    },
  );
  return Promise.resolve();
};

export default adminRoutes;
