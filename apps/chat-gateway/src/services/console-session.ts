import { createHmac, randomBytes } from 'node:crypto';

/** The operator's console session cookie: it opens the queue dashboard (`/admin/...`) and nothing else. */
export const operatorCookieName = 'sy_console';

/** Where the browser sends the cookie: the dashboard's pages, assets and API, never `/api` or `/v1`. */
export const operatorCookiePath = '/admin';

/** How long a console sign-in opens the dashboard; the console signs in again after it. */
export const operatorSessionSeconds = 12 * 60 * 60;

/**
 * The key that signs console cookies, derived from the admin key rather than a new required variable: only the
 * admin key can obtain the cookie anyway, and rotating the admin key (the operator's one credential) should end
 * every console session at once, which it does because the signatures no longer verify. A gateway without an
 * admin key has no operator, so a random key that nothing can match is enough.
 */
export function consoleCookieSecret(adminKey: string | undefined): string {
  if (adminKey === undefined) return randomBytes(32).toString('base64url');
  return createHmac('sha256', adminKey).update('switchyard console operator cookie v1').digest('base64url');
}

/** The (unsigned) cookie value of an operator session that ends `operatorSessionSeconds` after `now`. */
export function operatorSessionValue(now = Date.now()): string {
  return `operator.${now + operatorSessionSeconds * 1_000}`;
}

/** Whether an unsigned cookie value (its signature already verified) is an operator session still running. */
export function isLiveOperatorSession(value: string, now = Date.now()): boolean {
  const match = /^operator\.(\d{13,15})$/.exec(value);
  return match !== null && Number(match[1]) > now;
}
