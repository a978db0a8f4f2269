import type { FastifyRequest } from 'fastify';
import { InvalidAdminKeyError, InvalidApiKeyError } from '../errors.js';
import { secretsEqual, type ApiKeyService } from './api-keys.js';
import { orUnavailable } from './dependency-outage.js';

/** The key a request carries: `Authorization: Bearer <key>`, or the `x-api-key` header. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const apiKeyHeader = request.headers['x-api-key'];
  return typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined;
}

/** The onRequest hooks that check a request's key (before the body is read): a user's API key, or the admin key. */
export function createAuthGuards(options: {
  apiKeys: Pick<ApiKeyService, 'authenticate'>;
  adminKey: string | undefined;
  /** METRICS_TOKEN: a second key for `/metrics` only. */
  metricsToken?: string | undefined;
  /** Production: `/metrics` needs the metrics token or the admin key; elsewhere it stays open. */
  protectMetrics?: boolean;
}) {
  const isAdminKey = (key: string | undefined): boolean =>
    options.adminKey !== undefined && key !== undefined && secretsEqual(key, options.adminKey);
  return {
    /** What a key opens: `operator` (the admin key), `user` (a live API key), or undefined (nothing). */
    roleOfKey: async (key: string): Promise<'operator' | 'user' | undefined> => {
      if (isAdminKey(key)) return 'operator';
      const principal = await orUnavailable('PostgreSQL', () => options.apiKeys.authenticate(key));
      return principal ? 'user' : undefined;
    },
    /** onRequest (before the body is read): the Bearer API key to `request.principal`, or 401. */
    authenticate: async (request: FastifyRequest): Promise<void> => {
      const key = bearerToken(request);
      if (!key) throw new InvalidApiKeyError('Missing API key. Send it as `Authorization: Bearer sy-...`.');
      const principal = await orUnavailable('PostgreSQL', () => options.apiKeys.authenticate(key));
      if (!principal)
        throw new InvalidApiKeyError(
          'Incorrect API key provided, or the key was revoked. Keys are issued by POST /api/admin/users/:id/api-keys.',
        );
      request.principal = principal;
    },
    /** onRequest hook (before the body is read): accepts only GATEWAY_ADMIN_KEY. */
    requireAdmin: (request: FastifyRequest): Promise<void> => {
      if (!isAdminKey(bearerToken(request))) return Promise.reject(new InvalidAdminKeyError());
      return Promise.resolve();
    },
    /** onRequest hook for operator endpoints: the admin key, or a user's API key (then `request.principal` is set). */
    requireUserOrAdmin: async (request: FastifyRequest): Promise<void> => {
      const key = bearerToken(request);
      if (isAdminKey(key)) return;
      if (!key)
        throw new InvalidApiKeyError(
          'Missing API key. Send a user or admin key as `Authorization: Bearer ...`.',
        );
      const principal = await orUnavailable('PostgreSQL', () => options.apiKeys.authenticate(key));
      if (!principal) throw new InvalidApiKeyError('Incorrect API key provided, or the key was revoked.');
      request.principal = principal;
    },
    /** onRequest hook for `/metrics`: in production METRICS_TOKEN or the admin key; open otherwise. */
    requireMetricsAccess: (request: FastifyRequest): Promise<void> => {
      if (!options.protectMetrics) return Promise.resolve();
      const key = bearerToken(request);
      const token = options.metricsToken;
      if (isAdminKey(key) || (token !== undefined && key !== undefined && secretsEqual(key, token)))
        return Promise.resolve();
      return Promise.reject(
        new InvalidApiKeyError(
          'In production /metrics needs `Authorization: Bearer <METRICS_TOKEN>` or the admin key.',
        ),
      );
    },
  };
}

/** The authentication onRequest hooks. */
export type AuthGuards = ReturnType<typeof createAuthGuards>;
