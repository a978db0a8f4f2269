/** How close to expiry an access token is, as the weekly check sees it. */
export type TokenState = 'valid' | 'expiring' | 'expired';

const dayMs = 24 * 3_600_000;

/** Within this of expiry a token counts as expiring (and refreshable platforms refresh it). */
export const expiringWithinMs = 7 * dayMs;

/** A token with no expiry is treated as valid: some platforms issue non-expiring tokens. */
export function tokenState(expiresAt: Date | null | undefined, now: Date): TokenState {
  if (expiresAt === null || expiresAt === undefined) return 'valid';
  const remaining = expiresAt.getTime() - now.getTime();
  if (remaining <= 0) return 'expired';
  return remaining < expiringWithinMs ? 'expiring' : 'valid';
}

/** Grace after expiry: a token that expired less than this ago is just expired (`expired_recently`). */
export const recentlyExpiredMs = dayMs;

/** Why a refreshable (gsc, bing) token is refreshed now. */
export type RefreshReason = 'expiring' | 'expired_recently' | 'expired';

/**
 * Whether the weekly check refreshes a gsc/bing access token, and why. Rule: refresh if it "expires within
 * 7 days or expired less than 24 h ago". We also refresh a token that expired longer ago (`expired`): Google
 * access tokens live one hour, so a weekly check nearly always finds one expired for days, and the literal rule
 * would never refresh it. The refresh token, not the access token's age, decides whether access can be
 * restored; when the platform rejects it (`invalid_grant`) the connection needs the user.
 */
export function refreshReason(expiresAt: Date | null | undefined, now: Date): RefreshReason | undefined {
  const state = tokenState(expiresAt, now);
  if (state === 'valid' || expiresAt === null || expiresAt === undefined) return undefined;
  if (state === 'expiring') return 'expiring';
  return now.getTime() - expiresAt.getTime() < recentlyExpiredMs ? 'expired_recently' : 'expired';
}
