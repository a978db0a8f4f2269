import type { ProvidersConfig, RuntimeConfig } from '@switchyard/config';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createLlmService, type LlmClient, type LlmService } from '../../services/llm-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    llm: LlmService;
  }
}

/** The fallback client and routing, wired to metrics, usage and fallback recorders. */
export default fp(
  function llm(
    app: FastifyInstance,
    options: { providers: ProvidersConfig; runtime: RuntimeConfig; keyPrefix: string; client?: LlmClient },
  ) {
    const service = createLlmService({
      ...options,
      redis: app.redis,
      prometheus: app.prometheus,
      recorders: app.recorders,
      metering: app.spend.metering,
      userRouting: app.userRouting,
      logger: app.log,
    });
    app.decorate('llm', service);
    // Provider pools close after the streams drained (preClose) and before the process exits.
    app.addHook('onClose', () => service.close());
    return Promise.resolve();
  },
  { name: 'llm', dependencies: ['observability', 'redis', 'user-routing', 'spend'] },
);
