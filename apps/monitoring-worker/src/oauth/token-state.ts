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
