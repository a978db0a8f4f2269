import type { FastifyRequest } from 'fastify';
import { InvalidAdminKeyError, InvalidApiKeyError } from '../errors.js';
import { secretsEqual, type ApiKeyService } from './api-keys.js';

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const apiKeyHeader = request.headers['x-api-key'];
  return typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined;
}

/** The preHandlers that check a request's key: a user's API key, or the admin key. */
export function createAuthGuards(options: {
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
  adminKey: string | undefined;
}) {
  return {
    /** preHandler: resolves the Bearer API key to `request.principal` or answers 401. */
    authenticate: async (request: FastifyRequest): Promise<void> => {
      const key = bearerToken(request);
      if (!key) throw new InvalidApiKeyError('Missing API key. Send it as `Authorization: Bearer sy-...`.');
      const principal = await options.apiKeys.authenticate(key);
      if (!principal)
        throw new InvalidApiKeyError(
          'Incorrect API key provided, or the key was revoked. Keys are issued by POST /api/admin/users/:id/api-keys.',
        );
      request.principal = principal;
    },
    /** preHandler: accepts only GATEWAY_ADMIN_KEY. */
    requireAdmin: (request: FastifyRequest): Promise<void> => {
      const key = bearerToken(request);
      if (!options.adminKey || !key || !secretsEqual(key, options.adminKey))
        return Promise.reject(new InvalidAdminKeyError());
      return Promise.resolve();
    },
  };
}

/** The authentication preHandlers. */
export type AuthGuards = ReturnType<typeof createAuthGuards>;
