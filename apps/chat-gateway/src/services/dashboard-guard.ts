import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from '../error-handler.js';
import { ForbiddenError, InvalidAdminKeyError } from '../errors.js';
import { bearerToken } from './auth-guards.js';
import { isLiveOperatorSession, operatorCookieName } from './console-session.js';

// A browser that opens the dashboard without the cookie reads this instead of a JSON envelope.
const signInPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Queue dashboard: operators only</title>
  </head>
  <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
    <h1>Queue dashboard: operators only</h1>
    <p>The queue dashboard needs the operator sign-in. Sign in to the <a href="/console/">console</a> with the
      admin key, then open it again.</p>
  </body>
</html>
`;

/**
 * The onRequest hook of the queue dashboard: lets the operator in (the admin key as Bearer, or a live signed
 * console cookie) and answers everyone else itself: 403 for a user's API key, 401 otherwise, as a readable page
 * when a browser navigates there and in the error envelope for API calls.
 */
export function createDashboardGuard(options: {
  roleOfKey: (key: string) => Promise<'operator' | 'user' | undefined>;
}) {
  return async function dashboardGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const cookie = request.cookies[operatorCookieName];
    if (cookie !== undefined) {
      const unsigned = request.unsignCookie(cookie);
      if (unsigned.valid && unsigned.value !== null && isLiveOperatorSession(unsigned.value)) return;
    }
    const key = bearerToken(request);
    let role: 'operator' | 'user' | undefined;
    try {
      role = key === undefined ? undefined : await options.roleOfKey(key);
    } catch (error) {
      // PostgreSQL not answering (checking a user key): 503 in our envelope, not bull-board's error shape.
      const { statusCode, envelope } = mapError(error, request.id, 0);
      await reply.code(statusCode).send(envelope);
      return;
    }
    if (role === 'operator') return;
    const refusal =
      role === 'user'
        ? new ForbiddenError(
            "The queue dashboard is for operators: it needs the admin key, not a user's API key.",
          )
        : new InvalidAdminKeyError();
    const { statusCode, envelope } = mapError(refusal, request.id, 0);
    if (role !== 'user' && request.headers.accept?.includes('text/html')) {
      await reply.code(statusCode).type('text/html; charset=utf-8').send(signInPage);
      return;
    }
    await reply.code(statusCode).send(envelope);
  };
}
