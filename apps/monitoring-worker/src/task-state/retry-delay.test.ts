import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.js';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };

  it('doubles with each consecutive failure and stays within the jitter band', () => {
    expect(retryDelayMs(policy, 1, () => 0.5)).toBe(1_000);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(4_000);
    expect(retryDelayMs(policy, 3, () => 0)).toBe(3_200);
    expect(retryDelayMs(policy, 3, () => 1)).toBe(4_800);
  });

  it('never exceeds the maximum, however many failures', () => {
    expect(retryDelayMs(policy, 500, () => 1)).toBe(60_000);
  });
});
