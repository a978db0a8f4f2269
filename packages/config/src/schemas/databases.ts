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
    // The owner logins of the migrate step (`pnpm db:migrate`); default: the URLs above. The apps never read them.
    PLATFORM_DATABASE_OWNER_URL: emptyAsUndefined(postgresUrl.optional()),
    USERDATA_DATABASE_OWNER_URL: emptyAsUndefined(postgresUrl.optional()),
    // Password of the non-superuser application role (switchyard_app); the migrate step sets it. With owner URLs
    // above, the apps' pools log in as that role with it. Unset (local development): the URLs' user, SET ROLE
    // at connect for userdata.
    DATABASE_APP_PASSWORD: emptyAsUndefined(z.string().optional()),
    DATABASE_POOL_MAX: integer({ default: 10, min: 1, max: 500 }),
    DATABASE_CONNECT_TIMEOUT_MS: integer({ default: 2_000, min: 10 }),
    DATABASE_STATEMENT_TIMEOUT_MS: integer({ default: 5_000, min: 10 }),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: integer({ default: 10_000, min: 10 }),
    // The worker's statements are batch work (dispatch claims, bulk inserts, hourly analysis), not a request.
    WORKER_DATABASE_STATEMENT_TIMEOUT_MS: integer({ default: 60_000, min: 10 }),
  })
  .superRefine((env, context) => {
    if (databaseIdentity(env.PLATFORM_DATABASE_URL) === databaseIdentity(env.USERDATA_DATABASE_URL)) {
      context.addIssue({
        code: 'custom',
        path: ['USERDATA_DATABASE_URL'],
        message: `names the same database as PLATFORM_DATABASE_URL (${databaseIdentity(env.USERDATA_DATABASE_URL)}); each table belongs to exactly one of two separate databases`,
      });
    }
    // An owner URL that names another database would migrate one database while the apps serve from another.
    for (const [ownerKey, loginKey] of [
      ['PLATFORM_DATABASE_OWNER_URL', 'PLATFORM_DATABASE_URL'],
      ['USERDATA_DATABASE_OWNER_URL', 'USERDATA_DATABASE_URL'],
    ] as const) {
      const owner = env[ownerKey];
      if (owner !== undefined && databaseIdentity(owner) !== databaseIdentity(env[loginKey])) {
        context.addIssue({
          code: 'custom',
          path: [ownerKey],
          message: `names ${databaseIdentity(owner)} but ${loginKey} names ${databaseIdentity(env[loginKey])}; both must name the same database`,
        });
      }
    }
  })
  .transform((env) => ({
    platformUrl: env.PLATFORM_DATABASE_URL,
    userdataUrl: env.USERDATA_DATABASE_URL,
    platformReplicaUrl: env.PLATFORM_DATABASE_REPLICA_URL,
    /** The logins of the migrate step: owner URLs, or the URLs above when none are given. */
    owner: {
      platformUrl: env.PLATFORM_DATABASE_OWNER_URL ?? env.PLATFORM_DATABASE_URL,
      userdataUrl: env.USERDATA_DATABASE_OWNER_URL ?? env.USERDATA_DATABASE_URL,
    },
    poolMax: env.DATABASE_POOL_MAX,
    appPassword: env.DATABASE_APP_PASSWORD,
    /** Timeouts of every application pool (migrations run without a statement timeout). */
    timeouts: {
      connectMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    /** The worker's pools: the same, but a statement may run `WORKER_DATABASE_STATEMENT_TIMEOUT_MS`. */
    workerTimeouts: {
      connectMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: env.WORKER_DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  }));

export type DatabasesConfig = z.output<typeof databasesConfigSchema>;
