import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

// The connect path against the platforms' simulators, with the worker, is in
// apps/monitoring-worker/test/connect-path.integration.test.ts; these are the gateway's refusals.

let gateway: TestGateway;
let user: { id: string; key: string };

beforeAll(async () => {
  // No OAuth app configured: nothing can be connected through OAuth on this gateway.
  gateway = await createTestGateway({ USER_BASE_URL_ALLOWLIST: '' });
  user = await gateway.createUser();
});

afterAll(async () => {
  await gateway?.close();
});

const asUser = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
  gateway.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${user.key}` },
    ...(payload === undefined ? {} : { payload }),
  });

describe('connections routes', () => {
  it('need the API key', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/api/connections' });
    expect(response.statusCode).toBe(401);
  });

  it('refuse a platform whose OAuth app is not configured, naming the variables', async () => {
    for (const [platform, variable] of [
      ['gsc', 'GOOGLE_CLIENT_ID'],
      ['bing', 'BING_CLIENT_ID'],
      ['wix', 'WIX_CLIENT_ID'],
    ] as const) {
      const response = await asUser('POST', `/api/connections/${platform}/authorize`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'platform_not_configured' } });
      expect(response.json<{ error: { message: string } }>().error.message).toContain(variable);
    }
  });

  it('refuse an unknown platform and a state the gateway never issued', async () => {
    expect((await asUser('POST', '/api/connections/myspace/authorize')).statusCode).toBe(400);
    const callback = await gateway.app.inject({
      method: 'GET',
      url: '/api/connections/gsc/callback?code=abc&state=forged.zzzzzzzz',
    });
    expect(callback.statusCode).toBe(400);
    expect(callback.json()).toMatchObject({ error: { code: 'invalid_state', param: 'state' } });
  });

  it('refuse a WordPress site that is not a public address, before any request, and store nothing', async () => {
    const response = await asUser('POST', '/api/connections/wordpress', {
      siteUrl: 'http://127.0.0.1:9/',
      username: 'editor',
      applicationPassword: 'abcd efgh ijkl mnop',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { param: 'siteUrl' } });
    expect((await asUser('GET', '/api/connections')).json()).toEqual({ connections: [] });
  });

  it('name the missing WordPress field', async () => {
    const response = await asUser('POST', '/api/connections/wordpress', {
      siteUrl: 'https://blog.example/',
      username: 'editor',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('applicationPassword');
  });

  it('answer 404 for a connection that does not exist', async () => {
    const response = await asUser('DELETE', '/api/connections/00000000-0000-4000-8000-000000000000');
    expect(response.statusCode).toBe(404);
  });
});
