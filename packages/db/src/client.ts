import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { applicationRole } from './layout.js';
import * as platformSchema from './platform/index.js';
import * as userdataSchema from './userdata/index.js';

/** Drizzle database over the platform schema. */
export type PlatformDatabase = NodePgDatabase<typeof platformSchema>;
/** Drizzle database over the userdata schema. */
export type UserdataDatabase = NodePgDatabase<typeof userdataSchema>;
/** The transaction `withUser` hands to its callback. */
export type UserdataTransaction = Parameters<Parameters<UserdataDatabase['transaction']>[0]>[0];

/** Options of the client factories. */
export interface DatabaseClientOptions {
  /** Maximum pooled connections (default 10). */
  poolMax?: number;
  /** Called when a pooled connection fails (idle, or checked out between queries); the pool discards it. Default: ignore. */
  onError?: (error: Error) => void;
  /** Timeouts of the pool's connections (see `DatabaseTimeouts`); none when omitted. */
  timeouts?: DatabaseTimeouts;
}

/**
 * How long a pool waits for PostgreSQL. `statementMs` is both the server's `statement_timeout` (a slow query is
 * cancelled) and the client's `query_timeout` (a server that does not answer at all, e.g. behind a dropped
 * network, fails the query instead of hanging it).
 */
export interface DatabaseTimeouts {
  /** Establishing a connection (TCP, TLS, startup), `connectionTimeoutMillis`. */
  connectMs: number;
  /** One statement, server and client side. */
  statementMs: number;
  /** A transaction left open and idle is ended by the server (`idle_in_transaction_session_timeout`). */
  idleInTransactionMs: number;
}

/** A database client: the Drizzle handle, its pool, and `close()` which ends the pool. */
export interface DatabaseClient<Database> {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** Client of the platform database. */
export type PlatformDb = DatabaseClient<PlatformDatabase>;
/** Client of the userdata database; its connections run as the application role, so row-level security applies. */
export type UserdataDb = DatabaseClient<UserdataDatabase>;

function createPool(url: string, options: DatabaseClientOptions, extra: pg.PoolConfig = {}): pg.Pool {
  const timeouts: pg.PoolConfig = options.timeouts
    ? {
        connectionTimeoutMillis: options.timeouts.connectMs,
        statement_timeout: options.timeouts.statementMs,
        query_timeout: options.timeouts.statementMs,
        idle_in_transaction_session_timeout: options.timeouts.idleInTransactionMs,
      }
    : {};
  const pool = new pg.Pool({ connectionString: url, max: options.poolMax ?? 10, ...timeouts, ...extra });
  const onError = options.onError ?? (() => undefined);
  // Without a listener an idle connection dropped by the server would crash the process.
  pool.on('error', onError);
  // A connection cut while checked out (database restart, failover) emits 'error' on its client when no query
  // is running (e.g. between two statements of a transaction); the pool only listens while it is idle.
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

function clientOf<Database>(db: Database, pool: pg.Pool): DatabaseClient<Database> {
  let closing: Promise<void> | undefined;
  return { db, pool, close: () => (closing ??= pool.end()) };
}

/** Connects to the platform database (node-postgres pool, snake_case columns). */
export function createPlatformDb(url: string, options: DatabaseClientOptions = {}): PlatformDb {
  const pool = createPool(url, options);
  return clientOf(drizzle({ client: pool, schema: platformSchema, casing: 'snake_case' }), pool);
}

/**
 * The URL an app pool logs in with. With `appPassword` (`DATABASE_APP_PASSWORD`) it is the given URL's host and
 * database but the application role itself as the login user, so `RESET ROLE` / `SET ROLE NONE` land on that
 * role, never on the owner. Without it the URL as given: already the role's login (compose), or the owner in
 * zero-config local development (userdata then SETs ROLE at connect).
 */
export function applicationLoginUrl(url: string, appPassword: string | undefined): string {
  if (appPassword === undefined) return url;
  const login = new URL(url);
  login.username = applicationRole;
  login.password = encodeURIComponent(appPassword);
  return login.toString();
}

/** The URLs both app pools log in with (see `applicationLoginUrl`). */
export function applicationLoginUrls(config: {
  platformUrl: string;
  userdataUrl: string;
  appPassword?: string | undefined;
}): { platformUrl: string; userdataUrl: string } {
  return {
    platformUrl: applicationLoginUrl(config.platformUrl, config.appPassword),
    userdataUrl: applicationLoginUrl(config.userdataUrl, config.appPassword),
  };
}

/** Whether `url` logs in as the application role, which may read and write rows but never migrate. */
export function logsInAsApplicationRole(url: string): boolean {
  return decodeURIComponent(new URL(url).username) === applicationRole;
}

/**
 * Connects to the userdata database. Every connection starts as the non-superuser application role
 * (a startup parameter, so no query can run before it), which row-level security applies to.
 */
export function createUserdataDb(url: string, options: DatabaseClientOptions = {}): UserdataDb {
  const pool = createPool(url, options, { options: `-c role=${applicationRole}` });
  return clientOf(drizzle({ client: pool, schema: userdataSchema, casing: 'snake_case' }), pool);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction that sees only `userId`'s rows: row-level security reads the transaction-local
 * `app.current_user_id`, which is gone when the transaction ends, so a pooled connection never leaks it.
 */
export async function withUser<T>(
  userdata: UserdataDb | UserdataDatabase,
  userId: string,
  fn: (transaction: UserdataTransaction) => Promise<T>,
): Promise<T> {
  if (!uuidPattern.test(userId)) throw new TypeError('withUser: userId must be a uuid');
  const db = 'pool' in userdata && 'close' in userdata ? userdata.db : userdata;
  return db.transaction(async (transaction) => {
    await transaction.execute(sql`select set_config('app.current_user_id', ${userId}, true)`);
    return fn(transaction);
  });
}
