import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse.js';

describe('server-sent events', () => {
  it('answers each event once its blank line arrives, across chunk borders', () => {
    const parser = createSseParser();
    expect(parser.push('data: {"a":1}\n\ndata: {"b"')).toEqual(['{"a":1}']);
    expect(parser.push(':2}\n\n')).toEqual(['{"b":2}']);
    expect(parser.push('data: [DONE]\n\n')).toEqual(['[DONE]']);
  });

  it('skips comments (heartbeats) and reads CRLF streams', () => {
    const parser = createSseParser();
    expect(parser.push(': keep-alive\r\n\r\ndata: x\r\n\r\n')).toEqual(['x']);
  });

  it('keeps a last event that ended without a blank line', () => {
    const parser = createSseParser();
    expect(parser.push('data: tail')).toEqual([]);
    expect(parser.flush()).toEqual(['tail']);
  });
});
