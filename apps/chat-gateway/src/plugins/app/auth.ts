import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createApiKeyService, type ApiKeyService, type Principal } from '../../services/api-keys.js';
import { createAuthGuards, type AuthGuards } from '../../services/auth-guards.js';

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeyService;
    /** What a key opens: `operator` (the admin key), `user` (a live API key), or undefined. */
    roleOfKey: AuthGuards['roleOfKey'];
    /** onRequest (before the body is read): the Bearer API key to `request.principal`, or 401. */
    authenticate: AuthGuards['authenticate'];
    /** onRequest hook (before the body is read): accepts only GATEWAY_ADMIN_KEY. */
    requireAdmin: AuthGuards['requireAdmin'];
    /** onRequest hook (before the body is read): the admin key or a user's API key (operator endpoints). */
    requireUserOrAdmin: AuthGuards['requireUserOrAdmin'];
    /** onRequest hook: `/metrics` access (METRICS_TOKEN or admin key in production, open otherwise). */
    requireMetricsAccess: AuthGuards['requireMetricsAccess'];
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** API key authentication (cached, revocations over Redis pub/sub) and the admin key check. */
export default fp(
  async function auth(
    app: FastifyInstance,
    options: { adminKey: string | undefined; metricsToken?: string | undefined; protectMetrics?: boolean },
  ) {
    const service = await createApiKeyService({
      platform: app.platform,
      redis: app.redis,
      subscriber: app.redisSubscriber,
      keyPrefix: app.redisKeyPrefix,
      logger: app.log,
    });
    const guards = createAuthGuards({ apiKeys: service, ...options });
    app.decorate('apiKeys', service);
    app.decorate('roleOfKey', guards.roleOfKey);
    app.decorateRequest('principal', undefined);
    app.decorate('authenticate', guards.authenticate);
    app.decorate('requireAdmin', guards.requireAdmin);
    app.decorate('requireUserOrAdmin', guards.requireUserOrAdmin);
    app.decorate('requireMetricsAccess', guards.requireMetricsAccess);
    app.addHook('onClose', () => service.close());
  },
  { name: 'auth', dependencies: ['databases', 'redis'] },
);
