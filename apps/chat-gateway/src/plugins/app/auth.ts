import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createApiKeyService, type ApiKeyService, type Principal } from '../../services/api-keys.js';
import { createAuthGuards, type AuthGuards } from '../../services/auth-guards.js';

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeyService;
    /** preHandler: resolves the Bearer API key to `request.principal` or answers 401. */
    authenticate: AuthGuards['authenticate'];
    /** preHandler: accepts only GATEWAY_ADMIN_KEY. */
    requireAdmin: AuthGuards['requireAdmin'];
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** API key authentication (cached, revocations over Redis pub/sub) and the admin key check. */
export default fp(
  async function auth(app: FastifyInstance, options: { adminKey: string | undefined }) {
    const service = await createApiKeyService({
      platform: app.platform,
      redis: app.redis,
      subscriber: app.redisSubscriber,
      keyPrefix: app.redisKeyPrefix,
      logger: app.log,
    });
    const guards = createAuthGuards({ apiKeys: service, adminKey: options.adminKey });
    app.decorate('apiKeys', service);
    app.decorateRequest('principal', undefined);
    app.decorate('authenticate', guards.authenticate);
    app.decorate('requireAdmin', guards.requireAdmin);
    app.addHook('onClose', () => service.close());
  },
  { name: 'auth', dependencies: ['databases', 'redis'] },
);
