import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createBreakerHistory, type BreakerHistory } from '../../services/breaker-history.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Breaker openings and closings heard on the breakers' channel, for the operator's provider charts. */
    breakerHistory: BreakerHistory;
  }
}

/** Records every provider breaker change (capped Redis stream); stops listening on close. */
export default fp(
  async function breakerHistory(app: FastifyInstance, options: { llmKeyPrefix: string }) {
    const history = createBreakerHistory({
      redis: app.redis,
      subscriber: app.redisSubscriber,
      llmKeyPrefix: options.llmKeyPrefix,
      keyPrefix: app.redisKeyPrefix,
      logger: app.log,
    });
    await history.start();
    app.decorate('breakerHistory', history);
    app.addHook('onClose', () => history.close());
  },
  { name: 'breaker-history', dependencies: ['redis'] },
);
