import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from '../helper.js';

const metricsToken = 'metrics-token-0123456789';

describe('operator endpoints need a key', () => {
  let gateway: TestGateway;
  let userKey: string;
  beforeAll(async () => {
    gateway = await createTestGateway({ METRICS_TOKEN: metricsToken });
    userKey = (await gateway.createUser()).key;
  });
  afterAll(() => gateway.close());

  it.each(['/api/providers/health', '/api/ai-agents/configured-services'])(
    '%s answers 401 without a key or with a wrong one, 200 with a user or the admin key',
    async (url) => {
      const missing = await gateway.app.inject(url);
      expect(missing.statusCode).toBe(401);
      expect(missing.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
      const wrong = await gateway.app.inject({ url, headers: { authorization: 'Bearer sy-not-a-key' } });
      expect(wrong.statusCode).toBe(401);
      for (const key of [userKey, adminKey]) {
        const allowed = await gateway.app.inject({ url, headers: { authorization: `Bearer ${key}` } });
        expect(allowed.statusCode).toBe(200);
      }
    },
  );

  it('leaves /metrics open outside production', async () => {
    expect((await gateway.app.inject('/metrics')).statusCode).toBe(200);
  });
});

describe('/metrics in production', () => {
  let gateway: TestGateway;
  let userKey: string;
  beforeAll(async () => {
    gateway = await createTestGateway({
      NODE_ENV: 'production',
      METRICS_TOKEN: metricsToken,
      // Production insists on a secrets key; any 32 bytes do for this test.
      SECRETS_KEY: '0123456789abcdef'.repeat(4),
    });
    userKey = (await gateway.createUser()).key;
  });
  afterAll(() => gateway.close());

  it('needs the metrics token or the admin key; a user key or none gets 401', async () => {
    const scrape = (authorization?: string) =>
      gateway.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
    const anonymous = await scrape();
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('gateway_request_duration_seconds');
    expect((await scrape(`Bearer ${userKey}`)).statusCode).toBe(401);
    expect((await scrape('Bearer metrics-token-wrong-000')).statusCode).toBe(401);
    const withToken = await scrape(`Bearer ${metricsToken}`);
    expect(withToken.statusCode).toBe(200);
    expect(withToken.body).toContain('gateway_request_duration_seconds');
    expect((await scrape(`Bearer ${adminKey}`)).statusCode).toBe(200);
  });
});

describe('x-request-id', () => {
  let gateway: TestGateway;
  let authorization: string;
  beforeAll(async () => {
    gateway = await createTestGateway();
    authorization = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(() => gateway.close());

  async function chatWithRequestId(requestId: string) {
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization, 'x-request-id': requestId },
      payload: { model: 'auto', messages: [{ role: 'user', content: 'trace me' }] },
    });
    expect(response.statusCode).toBe(200);
    const answered = response.headers['x-request-id'] as string;
    const events = (await gateway.usageEvents()).filter((event) => event.requestId.startsWith(answered));
    return { answered, rows: events.map((event) => ({ request_id: event.requestId })) };
  }

  it('keeps a plain client id in the response header and the usage event (made unique by a suffix)', async () => {
    const { answered, rows } = await chatWithRequestId('client-trace.42:a_b');
    expect(answered).toBe('client-trace.42:a_b');
    expect(rows).toHaveLength(1);
    // A client repeating its id must not have the second call dropped as a duplicate of the first.
    expect(rows[0]!.request_id).toMatch(/^client-trace\.42:a_b\.[0-9a-f]{8}$/);
    const again = await chatWithRequestId('client-trace.42:a_b');
    expect(again.rows).toHaveLength(2);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with characters outside [A-Za-z0-9._:-]', 'id level=fatal msg="forged"'],
  ])('replaces an id %s in the response header and the usage row', async (_name, incoming) => {
    const { answered, rows } = await chatWithRequestId(incoming);
    expect(answered).not.toBe(incoming);
    expect(answered).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows).toEqual([{ request_id: answered }]);
    const forged = (await gateway.usageEvents()).filter((event) => event.requestId.startsWith(incoming));
    expect(forged).toHaveLength(0);
  });
});
