import { describe, expect, it } from 'vitest';
import { refreshReason, tokenState } from './token-state.js';

const now = new Date('2026-03-01T12:00:00Z');
const hourMs = 3_600_000;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

describe('refreshReason', () => {
  it('leaves a token valid for more than 7 days, or without expiry, alone', () => {
    expect(refreshReason(at(8 * 24 * hourMs), now)).toBeUndefined();
    expect(refreshReason(null, now)).toBeUndefined();
  });

  it('refreshes a token expiring within 7 days or expired less than 24 h ago (the issue window)', () => {
    expect(refreshReason(at(6 * 24 * hourMs), now)).toBe('expiring');
    expect(refreshReason(at(-2 * hourMs), now)).toBe('expired_recently');
  });

  it('also refreshes a token that expired long ago, as a weekly-checked Google token always has', () => {
    expect(refreshReason(at(-25 * hourMs), now)).toBe('expired');
    expect(refreshReason(at(-10 * 24 * hourMs), now)).toBe('expired');
    expect(tokenState(at(-10 * 24 * hourMs), now)).toBe('expired');
  });
});
