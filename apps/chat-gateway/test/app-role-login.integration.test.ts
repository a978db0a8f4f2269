import { prepareDatabases, sql } from '@switchyard/db';
import { systemPerformanceMetrics } from '@switchyard/db/platform';
import {
  createTestDatabases,
  testApplicationPassword as appPassword,
  type TestDatabases,
} from '@switchyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from './helper.js';

describe('the gateway serving as switchyard_app (DATABASE_APP_PASSWORD): its grants cover what it does', () => {
  let databases: TestDatabases;
  let gateway: TestGateway;

  beforeAll(async () => {
    databases = await createTestDatabases();
    // The migrate step as the owner: lets the role log in with the password.
    await prepareDatabases({ ...databases.config, appPassword });
    gateway = await createTestGateway({ DATABASE_APP_PASSWORD: appPassword }, { databases });
  });
  afterAll(async () => {
    await gateway?.close();
    await databases?.drop();
  });

  it('logs both pools in as the role itself', async () => {
    for (const client of [gateway.app.platform, gateway.app.userdata]) {
      const { rows } = await client.db.execute<{ session: string }>(sql`select session_user as session`);
      expect(rows).toEqual([{ session: 'switchyard_app' }]);
    }
  });

  it('creates users and keys, keeps conversations, answers chats and flushes its metrics', async () => {
    const user = await gateway.createUser();
    const authorization = `Bearer ${user.key}`;
    const created = await gateway.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      headers: { authorization },
      payload: { title: 'least privilege' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    const message = await gateway.app.inject({
      method: 'POST',
      url: `/api/chat/conversations/${id}/messages`,
      headers: { authorization },
      payload: { content: 'hello' },
    });
    expect(message.statusCode).toBe(200);
    const chat = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization },
      payload: { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(chat.statusCode).toBe(200);
    const revoked = await gateway.app.inject({
      method: 'DELETE',
      url: `/api/admin/api-keys/${user.keyId}`,
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(revoked.statusCode).toBe(204);
    const ready = await gateway.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    // Closing flushes the metrics buffer through the role's pool; the owner reads what landed.
    await gateway.app.close();
    const metrics = await databases.platform.db
      .select({ name: systemPerformanceMetrics.metricName })
      .from(systemPerformanceMetrics);
    expect(metrics.length).toBeGreaterThan(0);
  });
});
