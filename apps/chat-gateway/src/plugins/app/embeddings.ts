import type { ProvidersConfig } from '@switchyard/config';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createEmbeddingsService, type EmbeddingsService } from '../../services/embeddings-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    embeddings: EmbeddingsService;
  }
}

/** The embeddings client over the configured providers, wired to the same recorders as chat. */
export default fp(
  function embeddings(app: FastifyInstance, options: { providers: ProvidersConfig; keyPrefix: string }) {
    const service = createEmbeddingsService({
      ...options,
      redis: app.redis,
      prometheus: app.prometheus,
      recorders: app.recorders,
      metering: app.spend.metering,
      logger: app.log,
    });
    app.decorate('embeddings', service);
    app.addHook('onClose', () => service.close());
    return Promise.resolve();
  },
  { name: 'embeddings', dependencies: ['observability', 'redis', 'spend'] },
);
