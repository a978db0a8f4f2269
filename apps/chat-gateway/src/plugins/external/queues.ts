import { createQueues, createRedisConnection, type Queues } from '@switchyard/jobs';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Producers of the monitoring queues (`@switchyard/jobs`); an enqueue fails fast while Redis is away. */
    queues: Queues;
  }
}

/** BullMQ producers over their own Redis connection (role `producer`), closed with the app. */
export default fp(
  function queues(app: FastifyInstance, options: { url: string; keyPrefix: string }) {
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
      await producers.close();
      await connection.quit().catch(() => connection.disconnect());
    });
    return Promise.resolve();
  },
  { name: 'queues' },
);
