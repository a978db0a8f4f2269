import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from '../helper.js';

describe('API key revocation across replicas', () => {
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    first = await createTestGateway();
    second = await createTestGateway({}, { databases: first.databases, keyPrefix: first.keyPrefix });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('a key revoked on one instance stops working on the other, whose cache had it', async () => {
    const user = await first.createUser();
    const me = (app: TestGateway['app']) =>
      app.inject({ url: '/api/users/me', headers: { authorization: `Bearer ${user.key}` } });
    expect((await me(first.app)).statusCode).toBe(200);
    expect((await me(second.app)).statusCode).toBe(200);

    const revokedOnSecond = once(second.app.apiKeys.events, 'revoked');
    const revoke = await first.app.inject({
      method: 'DELETE',
      url: `/api/admin/api-keys/${user.keyId}`,
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(revoke.statusCode).toBe(204);
    await revokedOnSecond;

    expect((await me(second.app)).statusCode).toBe(401);
    expect((await me(first.app)).statusCode).toBe(401);
  });

  it('admin endpoints refuse anything but the admin key', async () => {
    const response = await first.app.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { authorization: 'Bearer not-the-admin-key' },
      payload: { email: 'x@example.com' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_admin_key' } });
  });
});
