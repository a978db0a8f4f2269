import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidAdminKeyError, InvalidApiKeyError } from '../../errors.js';
import {
  createApiKeyService,
  secretsEqual,
  type ApiKeyService,
  type Principal,
} from '../../services/api-keys.js';

declare module 'fastify' {
  interface FastifyInstance {
    apiKeys: ApiKeyService;
    /** preHandler: resolves the Bearer API key to `request.principal` or answers 401. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** preHandler: accepts only GATEWAY_ADMIN_KEY. */
    requireAdmin: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const apiKeyHeader = request.headers['x-api-key'];
  return typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined;
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
    app.decorate('apiKeys', service);
    app.decorateRequest('principal', undefined);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const key = bearerToken(request);
      if (!key) throw new InvalidApiKeyError('Missing API key. Send it as `Authorization: Bearer sy-...`.');
      const principal = await service.authenticate(key);
      if (!principal)
        throw new InvalidApiKeyError(
          'Incorrect API key provided, or the key was revoked. Keys are issued by POST /api/admin/users/:id/api-keys.',
        );
      request.principal = principal;
    });
    app.decorate('requireAdmin', (request: FastifyRequest) => {
      const key = bearerToken(request);
      if (!options.adminKey || !key || !secretsEqual(key, options.adminKey))
        return Promise.reject(new InvalidAdminKeyError());
      return Promise.resolve();
    });
    app.addHook('onClose', () => service.close());
  },
  { name: 'auth', dependencies: ['databases', 'redis'] },
);
