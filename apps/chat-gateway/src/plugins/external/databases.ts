import type { DatabasesConfig } from '@switchyard/config';
import {
  applicationLoginUrls,
  createPlatformDb,
  createUserdataDb,
  type PlatformDb,
  type UserdataDb,
} from '@switchyard/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Client of the platform database (system and cross-user tables): its Drizzle database (`db`), pool and
 * `close()`. Not `@switchyard/db`'s `PlatformDatabase`, which is the Drizzle database alone.
 */
export type PlatformClient = PlatformDb;
/** Client of the userdata database (per-user tables under row-level security; use `withUser`). */
export type UserdataClient = UserdataDb;

declare module 'fastify' {
  interface FastifyInstance {
    platform: PlatformClient;
    userdata: UserdataClient;
  }
}

/** Pools for both databases; closed last, after every buffer was flushed. */
export default fp(
  function databases(app: FastifyInstance, options: { databases: DatabasesConfig }) {
    // The factories keep a lost connection (database restart, failover) from crashing the process; we log it.
    const onError = (database: string) => (error: Error) =>
      app.log.warn({ database, reason: error.message }, 'database connection lost');
    // Both log in as the application role when the URLs name it or DATABASE_APP_PASSWORD is set (README, roles).
    const logins = applicationLoginUrls(options.databases);
    const platform = createPlatformDb(logins.platformUrl, {
      poolMax: options.databases.poolMax,
      timeouts: options.databases.timeouts,
      onError: onError('platform'),
    });
    const userdata = createUserdataDb(logins.userdataUrl, {
      poolMax: options.databases.poolMax,
      timeouts: options.databases.timeouts,
      onError: onError('userdata'),
    });
    app.decorate('platform', platform);
    app.decorate('userdata', userdata);
    app.addHook('onClose', async () => {
      await Promise.allSettled([platform.close(), userdata.close()]);
    });
    return Promise.resolve();
  },
  { name: 'databases' },
);
