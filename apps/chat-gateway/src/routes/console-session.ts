import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { InvalidApiKeyError, MissingParameterError, withParam } from '../errors.js';
import { errorResponses, NoContentSchema } from '../schemas/common.js';
import { ConsoleSessionSchema, ConsoleSignInSchema } from '../schemas/console.js';
import { bearerToken } from '../services/auth-guards.js';
import {
  operatorCookieName,
  operatorCookiePath,
  operatorSessionSeconds,
  operatorSessionValue,
} from '../services/console-session.js';

/**
 * Whether the browser reached us over https: a TLS socket, or a TLS-terminating proxy saying so. Trusting the
 * header costs nothing here: a client that lies only gets a cookie its own browser will not send back over http.
 */
function servedOverHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

/**
 * The console's sign-in: tells it whether a key is the operator's or a user's, and for the admin key sets the
 * cookie that opens the queue dashboard (a browser cannot send a Bearer header on a page navigation).
 */
const consoleSessionRoutes: FastifyPluginAsyncTypebox = (app) => {
  const cookieOptions = { path: operatorCookiePath, httpOnly: true, sameSite: 'strict' } as const;

  app.post(
    '/api/console/session',
    {
      schema: {
        tags: ['console'],
        summary:
          'Sign in to the console: the role of a key; the admin key also gets the queue dashboard cookie',
        body: ConsoleSignInSchema,
        response: { 200: ConsoleSessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const key = request.body?.key ?? bearerToken(request);
      if (!key)
        throw withParam(
          new MissingParameterError('Send the key as `{ "key": "..." }` or `Authorization: Bearer ...`.'),
          'key',
        );
      const role = await app.roleOfKey(key);
      if (!role) throw new InvalidApiKeyError('Incorrect API key or admin key, or the key was revoked.');
      if (role === 'operator')
        reply.setCookie(operatorCookieName, operatorSessionValue(), {
          ...cookieOptions,
          signed: true,
          maxAge: operatorSessionSeconds,
          secure: servedOverHttps(request),
        });
      return { role };
    },
  );

  app.delete(
    '/api/console/session',
    {
      schema: {
        tags: ['console'],
        summary: 'Sign out of the console: forgets the queue dashboard cookie',
        response: { 204: NoContentSchema },
      },
    },
    async (_request, reply) => reply.clearCookie(operatorCookieName, cookieOptions).code(204).send(null),
  );
  return Promise.resolve();
};

export default consoleSessionRoutes;
