import { describe, expect, it } from 'vitest';

import { classifyErrorResponse } from './error-response.js';

describe('classifyErrorResponse', () => {
  it('lets a kind the vendor named win over its status and refines a bad request from the message', () => {
    expect(classifyErrorResponse('vendor', { status: 400, kind: 'overloaded', message: '' }).kind).toBe(
      'overloaded',
    );
    expect(classifyErrorResponse('vendor', { status: 400, message: 'prompt is too long' }).kind).toBe(
      'context_length',
    );
  });

  it('asks the client to wait only on a rate limit or overload, preferring the wait the body named', () => {
    const headers = new Headers({ 'retry-after': '3' });
    const limited = classifyErrorResponse('vendor', { status: 429, message: '', headers, retryAfterMs: 500 });
    expect(limited).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterMs: 500 });
    expect(classifyErrorResponse('vendor', { status: 503, message: '', headers }).retryAfterMs).toBe(3_000);
    expect(
      classifyErrorResponse('vendor', { status: 500, message: '', headers }).retryAfterMs,
    ).toBeUndefined();
  });

  it('reports no status for an in-band error that carried none', () => {
    const inBand = classifyErrorResponse('vendor', { kind: 'server', message: 'boom' });
    expect(inBand.status).toBeUndefined();
    expect(inBand.message).not.toContain('boom');
  });
});
