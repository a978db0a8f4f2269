import { describe, expect, it } from 'vitest';
import { stripNul } from './strip-nul.js';

describe('stripNul', () => {
  it('removes NUL from strings at any depth, in arrays and keys, and keeps everything else', () => {
    const body = {
      model: 'gpt\u0000-4o',
      messages: [{ role: 'user', content: 'a\u0000b\u0000' }],
      'x\u0000y': 1,
      n: null,
      ok: true,
    };
    expect(stripNul(body)).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'ab' }],
      xy: 1,
      n: null,
      ok: true,
    });
  });

  it('walks a very deep body without recursion', () => {
    let deep: Record<string, unknown> = { leaf: 'a\u0000' };
    for (let index = 0; index < 100_000; index += 1) deep = { next: deep };
    expect(() => stripNul(deep)).not.toThrow();
  });
});
