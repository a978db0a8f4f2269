import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createFetchableUrlCheck } from '../../services/fetchable-url.js';
import { createMonitoringService, type MonitoringService } from '../../services/monitoring.js';
import { createOnboardingService, type OnboardingService } from '../../services/onboarding.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** A user's onboarding steps and completion. */
    onboarding: OnboardingService;
    /** Monitoring tasks, their runs and results, competitors, anomalies and alerts. */
    monitoring: MonitoringService;
  }
}

/** Onboarding and the monitoring API's services, over both databases and the queues. */
export default fp(
  function monitoring(app: FastifyInstance) {
    const assertFetchableUrl = createFetchableUrlCheck(app.userRouting.assertAllowedBaseUrl);
    app.decorate(
      'onboarding',
      createOnboardingService({
        platform: app.platform,
        userdata: app.userdata,
        queues: app.queues,
        assertFetchableUrl,
        log: app.log,
      }),
    );
    app.decorate(
      'monitoring',
      createMonitoringService({ platform: app.platform, queues: app.queues, assertFetchableUrl }),
    );
    return Promise.resolve();
  },
  { name: 'monitoring', dependencies: ['databases', 'queues', 'user-routing'] },
);
