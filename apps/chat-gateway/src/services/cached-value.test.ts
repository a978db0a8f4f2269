import { describe, expect, it } from 'vitest';
import { createCachedValue } from './cached-value.js';

describe('createCachedValue', () => {
  it('computes once per window and once for concurrent callers', async () => {
    let clock = 0;
    let runs = 0;
    const value = createCachedValue(
      1_000,
      () => Promise.resolve(++runs),
      () => clock,
    );
    expect(await Promise.all([value.get(), value.get()])).toEqual([1, 1]);
    clock = 999;
    expect(await value.get()).toBe(1);
    clock = 1_000;
    expect(await value.get()).toBe(2);
    expect(runs).toBe(2);
  });

  it('does not keep a failure', async () => {
    let fail = true;
    const value = createCachedValue(60_000, () =>
      fail ? Promise.reject(new Error('down')) : Promise.resolve('up'),
    );
    await expect(value.get()).rejects.toThrow('down');
    fail = false;
    expect(await value.get()).toBe('up');
  });
});
