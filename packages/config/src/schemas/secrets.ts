import { z } from 'zod';
import { emptyAsUndefined } from './shared.js';

// Development only: lets a fresh clone run without setting a key. Production refuses to start without SECRETS_KEY.
const developmentSecretsKey = Buffer.alloc(32, 'switchyard-development-only-key!').toString('base64');

/** `SECRETS_KEY`: the AES-256-GCM key (32 bytes, base64 or hex) that encrypts stored provider keys and OAuth tokens. */
export const secretsConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    SECRETS_KEY: emptyAsUndefined(z.string().optional()),
    SECRETS_KEY_PREVIOUS: emptyAsUndefined(z.string().optional()),
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
    }
    const decode = (value: string, path: string): Buffer | undefined => {
      const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
      if (key.length === 32) return key;
      context.addIssue({
        code: 'custom',
        path: [path],
        message: `must decode to 32 bytes (base64 or 64 hex characters), got ${key.length}`,
      });
      return undefined;
    };
    // Keys that older stored values may still be sealed with, comma-separated; `pnpm secrets:rotate` re-seals them.
    const previousKeys = (env.SECRETS_KEY_PREVIOUS ?? '')
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value !== '')
      .map((value) => decode(value, 'SECRETS_KEY_PREVIOUS'));
    const key =
      env.SECRETS_KEY === undefined
        ? Buffer.from(developmentSecretsKey, 'base64')
        : decode(env.SECRETS_KEY, 'SECRETS_KEY');
    if (!key || previousKeys.some((previous) => previous === undefined)) return z.NEVER;
    return {
      key,
      previousKeys: previousKeys as Buffer[],
      isDevelopmentKey: env.SECRETS_KEY === undefined,
    };
  });

export type SecretsConfig = z.output<typeof secretsConfigSchema>;
