import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
