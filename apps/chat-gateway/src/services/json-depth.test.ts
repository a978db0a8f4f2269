import { describe, expect, it } from 'vitest';
import { findTooDeep } from './json-depth.js';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) value = [value];
  return value;
}

describe('findTooDeep', () => {
  it('accepts a body exactly at the limit and names the first field past it', () => {
    expect(findTooDeep({ messages: [{ content: 'hi' }] }, 3)).toBeUndefined();
    expect(findTooDeep({ messages: [{ content: [{ text: 'hi' }] }] }, 3)).toBe('messages[0].content');
  });

  it('stops at the first field past the limit in a body nested 200,000 levels deep', () => {
    expect(findTooDeep({ tools: nested(200_000) }, 64)).toMatch(/^tools(\[0\]){63}$/);
  });
});
