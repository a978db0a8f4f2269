import { describe, expect, it } from 'vitest';
import { errorFrom, withQuery } from './client.js';

describe('gateway errors', () => {
  it("carries the API's own message and code", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          message: 'Incorrect API key.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          param: null,
        },
      }),
      { status: 401, statusText: 'Unauthorized', headers: { 'content-type': 'application/json' } },
    );
    const error = await errorFrom(response);
    expect(error.message).toBe('Incorrect API key.');
    expect(error.code).toBe('invalid_api_key');
    expect(error.status).toBe(401);
  });

  it('names the status when the answer is not the JSON envelope (a proxy page)', async () => {
    const error = await errorFrom(
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(error.message).toBe('The gateway answered 502 Bad Gateway.');
    expect(error.code).toBeNull();
  });
});

describe('query strings', () => {
  it('leaves out empty parameters', () => {
    expect(withQuery('/api/users/me/requests', { limit: 50, before: undefined, cursor: '' })).toBe(
      '/api/users/me/requests?limit=50',
    );
    expect(withQuery('/api/admin/plans', {})).toBe('/api/admin/plans');
  });
});
