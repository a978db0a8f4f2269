import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { consoleCookieSecret } from '../../services/console-session.js';

/** Cookie parsing and signing (`@fastify/cookie`); the only cookie is the console's operator session. */
export default fp(
  async function cookies(app: FastifyInstance, options: { adminKey: string | undefined }) {
    await app.register(fastifyCookie, { secret: consoleCookieSecret(options.adminKey) });
  },
  { name: 'cookies' },
);
