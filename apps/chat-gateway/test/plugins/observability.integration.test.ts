import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformDb, type PlatformDb } from '@switchyard/db';
import { createTestGateway, type TestGateway } from '../helper.js';

describe('metrics recorder', () => {
  let gateway: TestGateway;
  let authorization: string;
  let platformName: string;
  // A superuser session on the maintenance database, outside the outage, that starts and ends it.
  let operator: PlatformDb['pool'];

  async function setConnectionsAllowed(allowed: boolean): Promise<void> {
    await operator.query(
      `alter database "${platformName}" with allow_connections ${allowed ? 'true' : 'false'}`,
    );
    if (!allowed)
      await operator.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [platformName],
      );
  }

  beforeAll(async () => {
    gateway = await createTestGateway({ METRICS_FLUSH_INTERVAL_MS: '50' });
    authorization = `Bearer ${(await gateway.createUser()).key}`;
    platformName = new URL(gateway.config.databases.platformUrl).pathname.slice(1);
    operator = createPlatformDb('postgres://postgres@127.0.0.1:5432/postgres', { poolMax: 1 }).pool;
  });
  afterAll(async () => {
    await setConnectionsAllowed(true);
    await operator.end();
    await gateway.close();
  });

  const chat = () =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization },
      payload: { model: 'auto', messages: [{ role: 'user', content: 'count me' }] },
    });

  it('keeps rows while the platform database is down and writes them once it is back', async () => {
    const writer = gateway.app.recorders.metrics;
    expect((await chat()).statusCode).toBe(200);
    await writer.flush();
    const before = writer.stats().written;

    await setConnectionsAllowed(false);
    // Auth and quota are cached, so chats keep working while the database is away.
    expect((await chat()).statusCode).toBe(200);
    expect((await chat()).statusCode).toBe(200);
    const failed = once(writer.events, 'failed');
    void writer.flush();
    await failed;
    expect(writer.stats().buffered).toBeGreaterThanOrEqual(4);

    const written = once(writer.events, 'written');
    await setConnectionsAllowed(true);
    await written;
    await writer.flush();
    expect(writer.stats()).toMatchObject({ buffered: 0, dropped: 0 });
    expect(writer.stats().written).toBeGreaterThan(before);

    const rows = await gateway.databases.platform.pool.query<{ count: number }>(
      `select count(*)::int as count from system_performance_metrics where metric_name = 'request_latency_ms'`,
    );
    expect(rows.rows[0]?.count).toBe(3);
    const metrics = await gateway.app.inject('/metrics');
    expect(metrics.body).toMatch(/gateway_overhead_seconds_count\{stream="false"\} 3/);
  });
});
