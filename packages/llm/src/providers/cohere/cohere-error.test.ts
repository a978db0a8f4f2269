import { describe, expect, it } from 'vitest';

import { cohereHttpError, toCohereLlmError } from './cohere-error.js';

describe('cohereHttpError', () => {
  it.each([
    [400, 'too many tokens: size limit exceeded by 1400 tokens.', 'context_length'],
    [400, 'blocked input: please adjust your prompt and try again', 'content_filter'],
    [400, 'invalid request: message must not be empty', 'bad_request'],
    [401, 'invalid api token', 'auth'],
    [404, "model 'x' not found", 'not_found'],
    [429, 'You are using a Trial key', 'rate_limit'],
    [499, 'request cancelled', 'timeout'],
    [500, 'internal server error', 'server'],
    [503, 'service unavailable', 'overloaded'],
  ])('classifies %i "%s" as %s', (status, message, kind) => {
    expect(cohereHttpError('cohere', status, new Headers(), { id: 'x', message })).toMatchObject({
      kind,
      status,
    });
  });

  it('takes retryAfterMs from retry-after on 429', () => {
    expect(
      cohereHttpError('cohere', 429, new Headers({ 'retry-after': '3' }), { message: 'slow down' })
        .retryAfterMs,
    ).toBe(3_000);
  });

  it('classifies a JSON body that is not JSON as server and a cut body as network', () => {
    expect(toCohereLlmError(new SyntaxError('Unexpected end of JSON input'), 'cohere', undefined).kind).toBe(
      'server',
    );
    expect(
      toCohereLlmError(
        new TypeError('terminated', {
          cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
        }),
        'cohere',
        undefined,
      ).kind,
    ).toBe('network');
  });
});
