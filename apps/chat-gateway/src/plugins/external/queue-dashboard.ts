import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { queueNames } from '@switchyard/jobs';
import type { FastifyInstance } from 'fastify';
import { createDashboardGuard } from '../../services/dashboard-guard.js';

/** Where the queue dashboard lives. */
export const queueDashboardPath = '/admin/queues';

/**
 * bull-board over every BullMQ queue at `/admin/queues`, for operators only: the admin key as Bearer, or the
 * signed cookie the console's operator sign-in sets. The guard is a hook of this scope, so it also covers
 * bull-board's own asset and API routes.
 */
export default async function queueDashboard(app: FastifyInstance) {
  const serverAdapter = new FastifyAdapter().setBasePath(queueDashboardPath);
  createBullBoard({
    queues: Object.values(queueNames).map((name) => new BullMQAdapter(app.queues.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Switchyard queues' } },
  });
  const guard = createDashboardGuard({ roleOfKey: app.roleOfKey });
  await app.register(
    async (scope) => {
      // bull-board installs its own error handler, so a refusal is answered here, not thrown.
      scope.addHook('onRequest', guard);
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: queueDashboardPath },
  );
}
