import { describe, expect, it } from 'vitest';
import {
  consoleCookieSecret,
  isLiveOperatorSession,
  operatorSessionSeconds,
  operatorSessionValue,
} from './console-session.js';

describe('console operator session', () => {
  const now = Date.UTC(2026, 11, 2, 8, 0, 0);

  it('opens the dashboard until the session ends, and not a moment after', () => {
    const value = operatorSessionValue(now);
    expect(isLiveOperatorSession(value, now)).toBe(true);
    expect(isLiveOperatorSession(value, now + operatorSessionSeconds * 1_000 - 1)).toBe(true);
    expect(isLiveOperatorSession(value, now + operatorSessionSeconds * 1_000)).toBe(false);
  });

  it('accepts nothing but an operator session value', () => {
    for (const value of ['', 'operator', 'user.9999999999999', 'operator.abc', `operator.${now + 1}x`])
      expect(isLiveOperatorSession(value, now), value).toBe(false);
  });

  it('signs with a secret that changes with the admin key and never is the admin key', () => {
    const adminKey = 'admin-key-0123456789abcdef';
    expect(consoleCookieSecret(adminKey)).toBe(consoleCookieSecret(adminKey));
    expect(consoleCookieSecret(adminKey)).not.toBe(consoleCookieSecret(`${adminKey}-rotated`));
    expect(consoleCookieSecret(adminKey)).not.toContain(adminKey);
    // No admin key, no operator: a random secret nothing can match, different every start.
    expect(consoleCookieSecret(undefined)).not.toBe(consoleCookieSecret(undefined));
  });
});
