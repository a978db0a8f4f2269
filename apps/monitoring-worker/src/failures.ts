import { AllProvidersFailedError, LlmError } from '@switchyard/llm';
import { ResponseBodyError } from 'oauth4webapi';
import { BlockedDestinationError } from '@switchyard/net';

/** Failure classes stored in execution logs and `failure_pattern`. */
export const failureClasses = [
  'api_limit',
  'auth_error',
  'network_error',
  'config_error',
  'worker_lost',
  'unknown',
] as const;

/** A failure class. */
export type FailureClass = (typeof failureClasses)[number];

/** A classified task failure. */
export interface ClassifiedFailure {
  failureClass: FailureClass;
  /** Only a person can fix it (revoked grant, missing credentials): stop retrying, alert the user. */
  needsUser: boolean;
  /** Worth another BullMQ attempt right away; otherwise the job ends and the task's backoff takes over. */
  retryable: boolean;
  /** Safe to store and show: no tokens, no bodies, no stacks. */
  message: string;
}

/** A failure a processor already classified (e.g. an HTTP status from a platform API). */
export class TaskFailureError extends Error {
  constructor(
    message: string,
    readonly failureClass: FailureClass,
    readonly needsUser = false,
  ) {
    super(message);
    this.name = 'TaskFailureError';
  }
}

/**
 * An attempt whose worker died before finishing it (a crash, an out-of-memory kill, a stall past BullMQ's limit).
 * It counts against the task like any failure, so a task that kills every worker that runs it (a poison task)
 * reaches `needs_intervention` instead of being handed on forever; not retried at once, the task's backoff decides.
 */
export const workerLostFailure: ClassifiedFailure = {
  failureClass: 'worker_lost',
  needsUser: false,
  retryable: false,
  message: 'the worker running this attempt stopped before finishing it',
};

/** An HTTP status from a platform API, classified. */
export function failureOfStatus(status: number, what: string): TaskFailureError {
  if (status === 429) return new TaskFailureError(`${what} rate-limited the request (429)`, 'api_limit');
  if (status === 401 || status === 403)
    return new TaskFailureError(`${what} refused the credentials (${status})`, 'auth_error');
  if (status >= 500) return new TaskFailureError(`${what} failed (${status})`, 'network_error');
  return new TaskFailureError(`${what} rejected the request (${status})`, 'config_error');
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classOf(error: unknown): Omit<ClassifiedFailure, 'message' | 'retryable'> {
  if (error instanceof TaskFailureError)
    return { failureClass: error.failureClass, needsUser: error.needsUser };
  if (error instanceof BlockedDestinationError) return { failureClass: 'config_error', needsUser: true };
  if (error instanceof ResponseBodyError) {
    // invalid_grant: the refresh token was revoked or expired; only the user reconnecting fixes it.
    if (error.error === 'invalid_grant') return { failureClass: 'auth_error', needsUser: true };
    if (error.error === 'invalid_client' || error.error === 'unauthorized_client')
      return { failureClass: 'config_error', needsUser: false };
    if (error.status === 429) return { failureClass: 'api_limit', needsUser: false };
    return { failureClass: error.status >= 500 ? 'network_error' : 'auth_error', needsUser: false };
  }
  if (error instanceof LlmError) {
    if (error.kind === 'rate_limit' || error.kind === 'overloaded')
      return { failureClass: 'api_limit', needsUser: false };
    // Retrying does not change these answers: a refusal (every provider refused the page's content) included.
    if (
      error.kind === 'auth' ||
      error.kind === 'not_found' ||
      error.kind === 'bad_request' ||
      error.kind === 'content_filter'
    )
      return { failureClass: 'config_error', needsUser: false };
    if (error.retryable) return { failureClass: 'network_error', needsUser: false };
    return { failureClass: 'unknown', needsUser: false };
  }
  if (error instanceof AllProvidersFailedError) {
    const limited = error.attempts.some(
      (attempt) => attempt.errorKind === 'rate_limit' || attempt.errorKind === 'overloaded',
    );
    return { failureClass: limited ? 'api_limit' : 'network_error', needsUser: false };
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
    return { failureClass: 'network_error', needsUser: false };
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown } | undefined)?.cause);
  if (code !== undefined && (networkCodes.has(code) || code.startsWith('UND_ERR')))
    return { failureClass: 'network_error', needsUser: false };
  return { failureClass: 'unknown', needsUser: false };
}

/** Classifies any error a processor throws. */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const { failureClass, needsUser } = classOf(error);
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1_000);
  const retryable =
    !needsUser &&
    (failureClass === 'network_error' || failureClass === 'api_limit' || failureClass === 'unknown');
  return { failureClass, needsUser, retryable, message };
}
