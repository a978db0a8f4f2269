import { exitUnlessReachable, requiredServices } from './dependency-check.js';
import { loadConfigOrExit } from './load.js';
import { databasesConfigSchema } from './schemas/databases.js';
import { redisConfigSchema } from './schemas/redis.js';

// `pnpm start` runs this before building: PostgreSQL or Redis unreachable -> the same one line and exit 69 as the apps.
const config = loadConfigOrExit({ databases: databasesConfigSchema, redis: redisConfigSchema });
await exitUnlessReachable(requiredServices(config));
