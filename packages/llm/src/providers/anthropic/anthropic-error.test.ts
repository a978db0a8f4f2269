import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';

import { toAnthropicLlmError } from './anthropic-error.js';

function httpError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  return APIError.generate(
    status,
    { type: 'error', error: { type, message } },
    undefined,
    new Headers(headers),
  );
}

describe('toAnthropicLlmError', () => {
  it.each([
    [
      400,
      'invalid_request_error',
      'input length and `max_tokens` exceed context limit: 198000 + 4096 > 200000',
      'context_length',
    ],
    [400, 'invalid_request_error', 'prompt is too long: 215004 tokens > 200000 maximum', 'context_length'],
    [400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.', 'auth'],
    [
      400,
      'invalid_request_error',
      'messages: final assistant content cannot end with trailing whitespace',
      'unsupported_feature',
    ],
    [400, 'invalid_request_error', 'messages: at least one message is required', 'bad_request'],
    [403, 'permission_error', 'Your API key does not have permission to use the specified resource.', 'auth'],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 'context_length'],
    [503, 'overloaded_error', 'Overloaded', 'overloaded'],
    [504, 'timeout_error', 'Request timed out', 'timeout'],
  ])('classifies %i %s "%s" as %s', (status, type, message, kind) => {
    const error = toAnthropicLlmError(httpError(status, type, message), 'anthropic');
    expect({ kind: error.kind, status: error.status }).toEqual({ kind, status });
    expect(error.message).not.toContain(message);
  });

  it('takes retryAfterMs from retry-after-ms, retry-after, or the exhausted budget reset', () => {
    expect(
      toAnthropicLlmError(httpError(429, 'rate_limit_error', 'limit', { 'retry-after-ms': '1500' }), 'a')
        .retryAfterMs,
    ).toBe(1_500);
    expect(
      toAnthropicLlmError(httpError(429, 'rate_limit_error', 'limit', { 'retry-after': '12' }), 'a')
        .retryAfterMs,
    ).toBe(12_000);
    const reset = new Date(Date.now() + 40_000).toISOString();
    const fromReset = toAnthropicLlmError(
      httpError(429, 'rate_limit_error', 'limit', {
        'anthropic-ratelimit-tokens-remaining': '0',
        'anthropic-ratelimit-tokens-reset': reset,
      }),
      'a',
    ).retryAfterMs;
    expect(fromReset).toBeGreaterThan(35_000);
    expect(fromReset).toBeLessThanOrEqual(40_000);
  });

  it('classifies an in-band stream error (no status) by its type', () => {
    const inBand = new APIError(
      undefined,
      { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
      undefined,
      new Headers(),
      'api_error',
    );
    expect(toAnthropicLlmError(inBand, 'anthropic')).toMatchObject({ kind: 'server', status: 500 });
  });

  it('classifies aborts as timeout and connection failures as network', () => {
    expect(toAnthropicLlmError(new APIUserAbortError(), 'a').kind).toBe('timeout');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(toAnthropicLlmError(new APIConnectionError({ cause: reset }), 'a').kind).toBe('network');
  });
});
