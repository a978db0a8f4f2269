import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from '../helper.js';

/** The `name=value` part of the operator cookie a response sets, and its attributes. */
function operatorCookie(setCookie: string | string[] | undefined) {
  const header = [setCookie ?? []].flat().find((value) => value.startsWith('sy_console='));
  if (!header) return undefined;
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  return { pair, attributes: attributes.map((attribute) => attribute.toLowerCase()) };
}

describe('console sign-in and the queue dashboard', () => {
  let gateway: TestGateway;
  let userKey: string;

  beforeAll(async () => {
    gateway = await createTestGateway();
    userKey = (await gateway.createUser()).key;
  });
  afterAll(() => gateway.close());

  const signIn = (payload: unknown, headers: Record<string, string> = {}) =>
    gateway.app.inject({ method: 'POST', url: '/api/console/session', payload: payload as object, headers });

  it('signs the admin key in as the operator with a signed, httpOnly, same-site cookie for /admin', async () => {
    const response = await signIn({ key: adminKey });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ role: 'operator' });
    const cookie = operatorCookie(response.headers['set-cookie']);
    expect(cookie?.attributes).toEqual(
      expect.arrayContaining(['path=/admin', 'httponly', 'samesite=strict']),
    );
    expect(cookie?.attributes).not.toContain('secure');
    expect(cookie?.pair).not.toContain(adminKey);
  });

  it('marks the cookie secure when the console is reached over https (behind a TLS-terminating proxy)', async () => {
    const response = await signIn({ key: adminKey }, { 'x-forwarded-proto': 'https' });
    expect(response.statusCode).toBe(200);
    expect(operatorCookie(response.headers['set-cookie'])?.attributes).toContain('secure');
  });

  it('signs a user key in as a user without any cookie, also as a Bearer header', async () => {
    for (const response of [
      await signIn({ key: userKey }),
      await gateway.app.inject({
        method: 'POST',
        url: '/api/console/session',
        headers: { authorization: `Bearer ${userKey}` },
      }),
    ]) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ role: 'user' });
      expect(operatorCookie(response.headers['set-cookie'])).toBeUndefined();
    }
  });

  it('refuses a wrong key with 401 and a missing key with 400, in the error envelope', async () => {
    const wrong = await signIn({ key: 'sy-not-a-real-key-000000000000' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
    expect(operatorCookie(wrong.headers['set-cookie'])).toBeUndefined();
    const missing = await gateway.app.inject({ method: 'POST', url: '/api/console/session' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { code: 'missing_required_parameter', param: 'key' } });
  });

  it('opens the dashboard, its assets and its API with the cookie or the admin key as Bearer', async () => {
    const { pair } = operatorCookie((await signIn({ key: adminKey })).headers['set-cookie'])!;
    const page = await gateway.app.inject({ url: '/admin/queues', headers: { cookie: pair } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<title>Switchyard queues</title>');
    const asset = /src="(static\/js\/main[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const script = await gateway.app.inject({ url: `/admin/queues/${asset}`, headers: { cookie: pair } });
    expect(script.statusCode).toBe(200);

    const viaCookie = await gateway.app.inject({
      url: '/admin/queues/api/queues',
      headers: { cookie: pair },
    });
    const viaBearer = await gateway.app.inject({
      url: '/admin/queues/api/queues',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    for (const response of [viaCookie, viaBearer]) {
      expect(response.statusCode).toBe(200);
      const names = response.json<{ queues: { name: string }[] }>().queues.map((queue) => queue.name);
      expect(names).toEqual(expect.arrayContaining(['website-analysis', 'oauth-token-monitoring']));
    }
  });

  it('refuses a user key (403) and no key (401) on the page, the assets and the API', async () => {
    const page = await gateway.app.inject({ url: '/admin/queues' });
    const html = await gateway.app.inject({ url: '/admin/queues', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(401);
    expect(page.json()).toMatchObject({ error: { code: 'invalid_admin_key' } });
    expect(html.statusCode).toBe(401);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Queue dashboard: operators only');

    for (const url of [
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/static/favicon-32x32.png',
    ]) {
      const user = await gateway.app.inject({ url, headers: { authorization: `Bearer ${userKey}` } });
      expect(user.statusCode, url).toBe(403);
      expect(user.json(), url).toMatchObject({ error: { code: 'forbidden' } });
      expect((await gateway.app.inject({ url })).statusCode, url).toBe(401);
    }
  });

  it('refuses a forged or tampered cookie', async () => {
    const { pair } = operatorCookie((await signIn({ key: adminKey })).headers['set-cookie'])!;
    const value = decodeURIComponent(pair.slice('sy_console='.length));
    const [, signature] = /^operator\.\d+\.(.+)$/.exec(value)!;
    const extended = `sy_console=${encodeURIComponent(`operator.9999999999999.${signature}`)}`;
    for (const cookie of ['sy_console=operator.9999999999999', extended]) {
      const response = await gateway.app.inject({ url: '/admin/queues/api/queues', headers: { cookie } });
      expect(response.statusCode, cookie).toBe(401);
    }
  });

  it('signs out: DELETE clears the cookie', async () => {
    const response = await gateway.app.inject({ method: 'DELETE', url: '/api/console/session' });
    expect(response.statusCode).toBe(204);
    const cookie = operatorCookie(response.headers['set-cookie']);
    expect(cookie?.pair).toBe('sy_console=');
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['path=/admin', 'max-age=0']));
  });
});
