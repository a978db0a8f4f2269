import { InvalidValueError, withParam } from '../errors.js';
import { RefusedBaseUrlError, type BaseUrlGuard } from './base-url-guard.js';
import type { FetchableUrlCheck } from './onboarding.js';

/**
 * The check of a URL the worker will fetch for a user (their website, a competitor): the gateway's address guard
 * (http(s) only, no credentials, public addresses unless USER_BASE_URL_ALLOWLIST names the host) turned into a 400
 * naming the field. The worker's connect-time guard still checks the address it actually connects to.
 */
export function createFetchableUrlCheck(guard: BaseUrlGuard): FetchableUrlCheck {
  return (url, field) =>
    guard(url, field).catch((error: unknown) => {
      throw error instanceof RefusedBaseUrlError
        ? withParam(new InvalidValueError(error.message), field)
        : error;
    });
}
