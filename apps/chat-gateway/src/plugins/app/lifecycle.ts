import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createLifecycle, type Lifecycle } from '../../services/lifecycle.js';

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

/** Shutdown step 2 (after Fastify stops accepting): give in-flight streams their grace, then cut them. */
export default fp(
  function lifecycle(app: FastifyInstance, options: { shutdownGraceMs: number }) {
    app.decorate('lifecycle', createLifecycle());
    app.addHook('preClose', async () => {
      const result = await app.lifecycle.drain(options.shutdownGraceMs);
      if (!result.finished)
        app.log.warn({ aborted: result.aborted }, 'shutdown grace over; aborted streams still open');
    });
    return Promise.resolve();
  },
  { name: 'lifecycle' },
);
