import { databasesConfigSchema } from './schemas/databases.js';
import { gatewayConfigSchema } from './schemas/gateway.js';
import { oauthConfigSchema } from './schemas/oauth.js';
import { providersConfigSchema } from './schemas/providers.js';
import { redisConfigSchema } from './schemas/redis.js';
import { runtimeConfigSchema } from './schemas/runtime.js';
import { secretsConfigSchema } from './schemas/secrets.js';
import { usageStreamConfigSchema } from './schemas/usage-stream.js';
import { workerConfigSchema } from './schemas/worker.js';
import type { parseConfig } from './load.js';

/** The sections chat-gateway composes; pass to `loadConfigOrExit`. */
export const gatewayAppConfig = {
  runtime: runtimeConfigSchema,
  databases: databasesConfigSchema,
  redis: redisConfigSchema,
  providers: providersConfigSchema,
  secrets: secretsConfigSchema,
  gateway: gatewayConfigSchema,
  oauth: oauthConfigSchema,
  usageStream: usageStreamConfigSchema,
};

/** The sections monitoring-worker composes; pass to `loadConfigOrExit`. */
export const workerAppConfig = {
  runtime: runtimeConfigSchema,
  databases: databasesConfigSchema,
  redis: redisConfigSchema,
  providers: providersConfigSchema,
  secrets: secretsConfigSchema,
  worker: workerConfigSchema,
  oauth: oauthConfigSchema,
  usageStream: usageStreamConfigSchema,
};

export type GatewayAppConfig = ReturnType<typeof parseConfig<typeof gatewayAppConfig>>;
export type WorkerAppConfig = ReturnType<typeof parseConfig<typeof workerAppConfig>>;
