import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ConsoleNotBuiltError, NotFoundError } from '../../errors.js';
import { consolePageHeaders, findConsoleBuild } from '../../services/console-files.js';

/**
 * The web console (`apps/console`, a Vite build) at `/console`, open to anyone: its sign-in page must load
 * without a key, and every call it makes carries its own. A path that is not a file answers `index.html`, so the
 * console's own routes survive a reload. Without a build the gateway still serves its API and `/console` says how
 * to build it.
 */
export default async function consoleFiles(app: FastifyInstance, options: { distDir: string | undefined }) {
  const root = findConsoleBuild(options.distDir);
  if (!root) {
    app.log.warn(
      'web console not built: /console answers 503; build it with `pnpm --filter @switchyard/console build` and restart',
    );
    const notBuilt = () => Promise.reject(new ConsoleNotBuiltError());
    app.get('/console', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(
    async (scope) => {
      // Vite fingerprints every asset name, so assets are cached for good; the page gets consolePageHeaders.
      await scope.register(fastifyStatic, {
        root,
        maxAge: '365d',
        immutable: true,
        setHeaders: (reply, path) => {
          if (path.endsWith('.html')) reply.headers(consolePageHeaders);
        },
      });
      scope.setNotFoundHandler((request, reply) => {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          throw new NotFoundError(`${request.method} ${request.url.split('?')[0]}`);
        return reply.headers(consolePageHeaders).sendFile('index.html', { maxAge: 0, immutable: false });
      });
    },
    { prefix: '/console' },
  );
}
