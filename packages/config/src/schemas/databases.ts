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
    // Password of the non-superuser application role (switchyard_app) the apps' userdata pools log in as; the
    // migrator sets it. Unset (local development): the pools log in as the URL's user and SET ROLE at connect.
    DATABASE_APP_PASSWORD: emptyAsUndefined(z.string().optional()),
    DATABASE_POOL_MAX: integer({ default: 10, min: 1, max: 500 }),
    DATABASE_CONNECT_TIMEOUT_MS: integer({ default: 2_000, min: 10 }),
    DATABASE_STATEMENT_TIMEOUT_MS: integer({ default: 5_000, min: 10 }),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: integer({ default: 10_000, min: 10 }),
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
    appPassword: env.DATABASE_APP_PASSWORD,
    /** Timeouts of every application pool (migrations run without a statement timeout). */
    timeouts: {
      connectMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  }));

export type DatabasesConfig = z.output<typeof databasesConfigSchema>;
