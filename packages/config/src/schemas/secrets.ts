import { z } from 'zod';
import { emptyAsUndefined } from './shared.js';

// Development only: lets a fresh clone run without setting a key. Production refuses to start without SECRETS_KEY.
const developmentSecretsKey = Buffer.alloc(32, 'switchyard-development-only-key!').toString('base64');

/** `SECRETS_KEY`: the AES-256-GCM key (32 bytes, base64 or hex) that encrypts stored provider keys and OAuth tokens. */
export const secretsConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    SECRETS_KEY: emptyAsUndefined(z.string().optional()),
  })
  .transform((env, context) => {
    if (env.SECRETS_KEY === undefined) {
      if (env.NODE_ENV === 'production') {
        context.addIssue({
          code: 'custom',
          path: ['SECRETS_KEY'],
          message: 'is required when NODE_ENV=production (32 bytes, base64 or hex)',
        });
        return z.NEVER;
      }
      return { key: Buffer.from(developmentSecretsKey, 'base64'), isDevelopmentKey: true };
    }
    const key = /^[0-9a-f]{64}$/i.test(env.SECRETS_KEY)
      ? Buffer.from(env.SECRETS_KEY, 'hex')
      : Buffer.from(env.SECRETS_KEY, 'base64');
    if (key.length !== 32) {
      context.addIssue({
        code: 'custom',
        path: ['SECRETS_KEY'],
        message: `must decode to 32 bytes (base64 or 64 hex characters), got ${key.length}`,
      });
      return z.NEVER;
    }
    return { key, isDevelopmentKey: false };
  });

export type SecretsConfig = z.output<typeof secretsConfigSchema>;
