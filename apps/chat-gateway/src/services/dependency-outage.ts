import { DependencyUnavailableError } from '../errors.js';

/** The dependencies a request can wait on, as named to clients. */
export type Dependency = 'Redis' | 'PostgreSQL';

/** Socket errors: the dependency is unreachable or dropped the connection. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** ioredis: command timeout, no connection (offline queue off), retries used up. */
const redisMessages = [/^Command timed out$/, /enableOfflineQueue/, /^Connection is closed\.?$/];

/**
 * PostgreSQL: SQLSTATE 57014 (statement timeout), class 08 (connection), 57P0x (shutdown, cannot connect now),
 * 53300 (too many connections); node-postgres' own connect and query timeouts and lost connections.
 */
const postgresCodes = /^(57014|08...|57P0[1-3]|53300)$/;
const postgresMessages = [
  /^Query read timeout$/,
  /timeout exceeded when trying to connect/,
  /^Connection terminated/,
  /^Client has encountered a connection error/,
];

function matches(error: Error & { code?: unknown }, dependency: Dependency): boolean {
  if (typeof error.code === 'string' && socketCodes.has(error.code)) return true;
  if (dependency === 'Redis') {
    return error.name === 'MaxRetriesPerRequestError' || redisMessages.some((re) => re.test(error.message));
  }
  if (typeof error.code === 'string' && postgresCodes.test(error.code)) return true;
  return postgresMessages.some((re) => re.test(error.message));
}

/** Whether `error` (or an error it wraps, e.g. Drizzle's query error) says `dependency` did not answer. */
export function isOutage(error: unknown, dependency: Dependency): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (matches(current, dependency)) return true;
    current = current.cause;
  }
  return false;
}

/** Runs `work`; an outage of `dependency` becomes a 503 `dependency_unavailable`, other errors pass unchanged. */
export async function orUnavailable<T>(dependency: Dependency, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isOutage(error, dependency)) throw new DependencyUnavailableError(dependency);
    throw error;
  }
}
