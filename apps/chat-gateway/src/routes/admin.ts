import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from '@switchyard/db';
import { users } from '@switchyard/db/platform';
import { NotFoundError, InvalidValueError, withParam } from '../errors.js';
import {
  errorResponses,
  ErrorEnvelopeRefSchema,
  IdParamsSchema,
  NoContentSchema,
} from '../schemas/common.js';
import { CreateApiKeySchema, CreateUserSchema, IssuedApiKeySchema, UserSchema } from '../schemas/users.js';

/** Admin endpoints (GATEWAY_ADMIN_KEY): create users, issue and revoke API keys. */
const adminRoutes: FastifyPluginAsyncTypebox = (app) => {
  const security = [{ adminKey: [] }];
  const { db } = app.platform;

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
  return Promise.resolve();
};

export default adminRoutes;
