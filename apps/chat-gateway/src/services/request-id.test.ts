import { describe, expect, it } from 'vitest';
import { requestIdFor } from './request-id.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it('keeps a plain id of up to 128 characters', () => {
    expect(requestIdFor({ headers: { 'x-request-id': 'trace-1.a:b_C' } })).toBe('trace-1.a:b_C');
    expect(requestIdFor({ headers: { 'x-request-id': 'a'.repeat(128) } })).toBe('a'.repeat(128));
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['spaces', 'two words'],
    ['log injection', 'id\nlevel=fatal'],
    ['quotes', '"><script>'],
    ['empty', ''],
  ])('replaces an id with %s by a fresh UUID', (_name, incoming) => {
    expect(requestIdFor({ headers: { 'x-request-id': incoming } })).toMatch(uuid);
  });

  it('generates one when the header is absent', () => {
    expect(requestIdFor({ headers: {} })).toMatch(uuid);
  });
});
