export { ConfigError, configErrorExitCode, loadConfigOrExit, parseConfig } from './load.js';
export { readProcessEnv } from './env.js';
export { databaseIdentity, databasesConfigSchema, type DatabasesConfig } from './schemas/databases.js';
export { redisConfigSchema, type RedisConfig } from './schemas/redis.js';
export {
  defaultProviderModels,
  embeddingModelCatalog,
  embeddingProviderNames,
  providerModelCatalog,
  providerNames,
  type EmbeddingProviderName,
  type ProviderName,
} from './schemas/provider-models.js';
export { providersConfigSchema, type ProviderSettings, type ProvidersConfig } from './schemas/providers.js';
export { secretsConfigSchema, type SecretsConfig } from './schemas/secrets.js';
export { runtimeConfigSchema, type RuntimeConfig } from './schemas/runtime.js';
export { gatewayConfigSchema, type GatewayConfig } from './schemas/gateway.js';
export { oauthConfigSchema, type OAuthConfig, type OAuthPlatformSettings } from './schemas/oauth.js';
export { workerConfigSchema, type WorkerConfig } from './schemas/worker.js';
export { usageStreamConfigSchema, type UsageStreamConfig } from './schemas/usage-stream.js';
export { gatewayAppConfig, workerAppConfig, type GatewayAppConfig, type WorkerAppConfig } from './apps.js';
export { logRedactCensor, logRedactPaths } from './log-redaction.js';
export {
  exitUnlessReachable,
  isReachable,
  requiredServices,
  unavailableExitCode,
  unreachableMessage,
  withoutCredentials,
  type RequiredService,
} from './dependency-check.js';
