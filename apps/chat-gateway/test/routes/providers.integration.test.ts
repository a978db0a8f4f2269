import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

interface WindowView {
  requests: number;
  successRate: number | null;
  errorsByKind: Record<string, number>;
}
interface ProviderView {
  provider: string;
  breaker: { state: string; openUntil: string | null; consecutiveFailures: number };
  lastFiveMinutes: WindowView;
  lastError: { kind: string; at: string } | null;
}

describe('GET /api/providers/health after real provider failures', () => {
  let failing: Simulator;
  let healthy: Simulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    [failing, healthy] = await Promise.all([
      startOpenAISimulator({ faults: [{ type: 'server_error' }] }),
      startOpenAISimulator(),
    ]);
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-failing',
      OPENAI_BASE_URL: `${failing.url}/v1`,
      GROQ_API_KEY: 'gsk-test-healthy',
      GROQ_BASE_URL: `${healthy.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
      METRICS_FLUSH_INTERVAL_MS: '600000',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([failing.close(), healthy.close()]);
  });

  it('shows the failing provider open with its errors by kind and last error, the fallback healthy', async () => {
    const { key } = await gateway.createUser();
    for (let index = 0; index < 4; index += 1) {
      const response = await gateway.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${key}` },
        payload: { model: 'auto', messages: [{ role: 'user', content: `fail ${index}` }] },
      });
      expect(response.headers['x-gateway-provider']).toBe('groq');
    }
    await gateway.app.recorders.metrics.flush();

    const response = await gateway.app.inject({
      url: '/api/providers/health',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.statusCode).toBe(200);
    const providers = response.json<{ providers: ProviderView[] }>().providers;
    const openai = providers.find((provider) => provider.provider === 'openai')!;
    const groq = providers.find((provider) => provider.provider === 'groq')!;
    // Each request failed on openai and retried once (500 is transient) before the breaker opened at 5 in a row.
    expect(openai.breaker.state).toBe('open');
    expect(Date.parse(openai.breaker.openUntil!)).toBeGreaterThan(Date.now());
    expect(openai.lastFiveMinutes.errorsByKind).toEqual({ server: failing.requests.length });
    expect(openai.lastFiveMinutes.successRate).toBe(0);
    expect(openai.lastError?.kind).toBe('server');
    expect(groq.breaker.state).toBe('closed');
    expect(groq.lastFiveMinutes).toMatchObject({ requests: 4, successRate: 1, errorsByKind: {} });
    expect(groq.lastError).toBeNull();

    const services = (
      await gateway.app.inject({
        url: '/api/ai-agents/configured-services',
        headers: { authorization: `Bearer ${key}` },
      })
    ).json<{
      services: Array<{ serviceName: string; status: string }>;
    }>().services;
    expect(services.find((service) => service.serviceName === 'openai')?.status).toBe('unavailable');
    expect(services.find((service) => service.serviceName === 'groq')?.status).toBe('available');
  });
});
