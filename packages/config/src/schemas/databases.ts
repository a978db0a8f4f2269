import { z } from 'zod';
import { emptyAsUndefined, integer, url } from './shared.js';

const postgresUrl = url(['postgres:', 'postgresql:']);

/** Identity of a database: where it lives and its name. Two URLs with the same identity are the same database. */
export function databaseIdentity(connectionString: string): string {
  const parsed = new URL(connectionString);
  const host = (parsed.hostname || 'localhost').replace(/^(127\.0\.0\.1|::1|\[::1\])$/, 'localhost');
  return `${host}:${parsed.port || '5432'}/${decodeURIComponent(parsed.pathname.slice(1))}`;
}

/** The two PostgreSQL databases (platform and userdata), which must never be the same database. */
export const databasesConfigSchema = z
  .object({
    PLATFORM_DATABASE_URL: emptyAsUndefined(
      postgresUrl.default('postgres://postgres@127.0.0.1:5432/platform'),
    ),
    USERDATA_DATABASE_URL: emptyAsUndefined(
      postgresUrl.default('postgres://postgres@127.0.0.1:5432/userdata'),
    ),
    PLATFORM_DATABASE_REPLICA_URL: emptyAsUndefined(postgresUrl.optional()),
    DATABASE_POOL_MAX: integer({ default: 10, min: 1, max: 500 }),
  })
  .superRefine((env, context) => {
    if (databaseIdentity(env.PLATFORM_DATABASE_URL) === databaseIdentity(env.USERDATA_DATABASE_URL)) {
      context.addIssue({
        code: 'custom',
        path: ['USERDATA_DATABASE_URL'],
        message: `names the same database as PLATFORM_DATABASE_URL (${databaseIdentity(env.USERDATA_DATABASE_URL)}); each table belongs to exactly one of two separate databases`,
      });
    }
  })
  .transform((env) => ({
    platformUrl: env.PLATFORM_DATABASE_URL,
    userdataUrl: env.USERDATA_DATABASE_URL,
    platformReplicaUrl: env.PLATFORM_DATABASE_REPLICA_URL,
    poolMax: env.DATABASE_POOL_MAX,
  }));

export type DatabasesConfig = z.output<typeof databasesConfigSchema>;
