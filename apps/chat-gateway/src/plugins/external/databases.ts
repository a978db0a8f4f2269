import type { DatabasesConfig } from '@switchyard/config';
import { createPlatformDb, createUserdataDb, type PlatformDb, type UserdataDb } from '@switchyard/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Platform database handle (system and cross-user tables). */
export type PlatformDatabase = PlatformDb;
/** Userdata database handle (per-user tables under row-level security; use `withUser`). */
export type UserdataDatabase = UserdataDb;

declare module 'fastify' {
  interface FastifyInstance {
    platform: PlatformDatabase;
    userdata: UserdataDatabase;
  }
}

/** Pools for both databases; closed last, after every buffer was flushed. */
export default fp(
  function databases(app: FastifyInstance, options: { databases: DatabasesConfig }) {
    const platform = createPlatformDb(options.databases.platformUrl, { poolMax: options.databases.poolMax });
    const userdata = createUserdataDb(options.databases.userdataUrl, { poolMax: options.databases.poolMax });
    // A connection cut while checked out (database restart, failover) emits 'error' on its client, which the
    // pool does not handle; without a listener that would crash the process instead of failing one query.
    for (const [name, client] of [['platform', platform], ['userdata', userdata]] as const) {
      client.pool.on('connect', (connection) => {
        connection.on('error', (error: Error) => app.log.warn({ database: name, reason: error.message }, 'database connection lost'));
      });
    }
    app.decorate('platform', platform);
    app.decorate('userdata', userdata);
    app.addHook('onClose', async () => {
      await Promise.allSettled([platform.close(), userdata.close()]);
    });
    return Promise.resolve();
  },
  { name: 'databases' },
);
