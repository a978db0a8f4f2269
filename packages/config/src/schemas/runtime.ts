import { z } from 'zod';
import { emptyAsUndefined, nodeEnvSchema } from './shared.js';

/** Process-wide settings: environment and log level. */
export const runtimeConfigSchema = z
  .object({
    NODE_ENV: nodeEnvSchema,
    LOG_LEVEL: emptyAsUndefined(
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'must be one of fatal, error, warn, info, debug, trace, silent',
        })
        .default('info'),
    ),
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    isProduction: env.NODE_ENV === 'production',
  }));

export type RuntimeConfig = z.output<typeof runtimeConfigSchema>;
