import type { DatabasesConfig } from '@switchyard/config';
import { createPlatformDb, createUserdataDb } from '@switchyard/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Platform database handle (system and cross-user tables). */
export type PlatformDatabase = ReturnType<typeof createPlatformDb>;
/** Userdata database handle (per-user tables under row-level security; use `withUser`). */
export type UserdataDatabase = ReturnType<typeof createUserdataDb>;

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
    app.decorate('platform', platform);
    app.decorate('userdata', userdata);
    app.addHook('onClose', async () => {
      await Promise.allSettled([platform.close(), userdata.close()]);
    });
    return Promise.resolve();
  },
  { name: 'databases' },
);
