import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

describe('health, docs and metrics', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await createTestGateway();
  });
  afterAll(() => gateway.close());

  it('reports liveness and readiness with every check', async () => {
    expect((await gateway.app.inject('/health')).json()).toEqual({ status: 'ok' });
    const ready = await gateway.app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      failing: [],
      checks: { platform: { ok: true }, userdata: { ok: true }, redis: { ok: true }, schema: { ok: true } },
    });
  });

  it('serves the OpenAPI document with every route, Swagger UI and ReDoc from the local bundle', async () => {
    const document = (await gateway.app.inject('/openapi.json')).json<{ paths: Record<string, unknown> }>();
    for (const path of [
      '/v1/chat/completions',
      '/v1/models',
      '/api/admin/users',
      '/api/chat/conversations/{id}/messages',
      '/api/ai-agents/configured-services',
      '/api/providers/health',
      '/api/subscription/plans',
      '/api/subscription/usage/{userId}',
      '/health',
      '/ready',
    ]) {
      expect(document.paths).toHaveProperty([path]);
    }
    expect((await gateway.app.inject('/docs/')).statusCode).toBe(200);
    const redoc = await gateway.app.inject('/redoc');
    expect(redoc.body).toContain('/redoc/redoc.standalone.js');
    expect(redoc.body).not.toMatch(/https?:\/\/cdn/);
    const bundle = await gateway.app.inject('/redoc/redoc.standalone.js');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toContain('javascript');
  });

  it('exposes Prometheus series including the overhead histogram', async () => {
    const metrics = await gateway.app.inject('/metrics');
    expect(metrics.body).toContain('gateway_overhead_seconds');
    expect(metrics.body).toContain('gateway_request_duration_seconds');
  });

  it('answers unknown routes with the OpenAI envelope', async () => {
    const missing = await gateway.app.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'not_found' } });
  });
});

describe('readiness when a dependency fails', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await createTestGateway();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await gateway.close();
  });

  it('names each failing dependency with a code, never its error text, and checks at most once a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const app = gateway.app;
    // Past the first answer's cache window, so the failures below are what the next probe sees.
    vi.setSystemTime(Date.now() + 5_000);
    const redisPing = vi
      .spyOn(app.redis, 'ping')
      .mockRejectedValue(new Error('connect ECONNREFUSED 10.1.2.3:6379 (user admin:hunter2)'));
    const platformExecute = vi
      .spyOn(app.platform.db, 'execute')
      .mockRejectedValue(new Error('password authentication failed for user "switchyard_app"'));

    const first = await app.inject('/ready');
    const second = await app.inject('/ready');
    expect(first.statusCode).toBe(503);
    expect(first.json()).toMatchObject({
      status: 'unavailable',
      failing: [
        { dependency: 'platform', code: 'unreachable' },
        { dependency: 'redis', code: 'unreachable' },
      ],
    });
    expect(first.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|hunter2|password|switchyard_app/);
    expect(second.json()).toEqual(first.json());
    expect(redisPing).toHaveBeenCalledTimes(1);

    redisPing.mockRestore();
    platformExecute.mockRestore();
    vi.setSystemTime(Date.now() + 1_001);
    const recovered = await app.inject('/ready');
    expect(recovered.statusCode).toBe(200);
    expect(recovered.json()).toMatchObject({ status: 'ready', failing: [] });
  });
});
