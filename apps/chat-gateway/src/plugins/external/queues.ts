import { createQueues, createRedisConnection, type Queues } from '@switchyard/jobs';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Producers of the monitoring queues (`@switchyard/jobs`); an enqueue fails fast while Redis is away. */
    queues: Queues;
  }
}

/** The monitoring queues' producer side over its own Redis connection; closed with the app. */
export default fp(
  async function queues(app: FastifyInstance, options: { url: string; keyPrefix: string }) {
    // Its own connection: BullMQ's scripts and blocking-free producer calls stay apart from the request-path client.
    const connection = createRedisConnection(options.url, {
      role: 'producer',
      connectionName: 'chat-gateway:queues',
    });
    connection.on('error', (error: Error) =>
      app.log.warn({ reason: error.message }, 'queue redis connection error'),
    );
    const producers = createQueues(connection, { prefix: options.keyPrefix });
    app.decorate('queues', producers);
    app.addHook('onClose', async () => {
      await producers.close().catch(() => undefined);
      await connection.quit().catch(() => undefined);
    });
    return Promise.resolve();
  },
  { name: 'queues' },
);
