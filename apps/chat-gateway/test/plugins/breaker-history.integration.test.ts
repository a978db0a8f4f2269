import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminKey, createTestGateway, type TestGateway } from '../helper.js';

interface Transition {
  at: string;
  state: string;
  openUntil: string | null;
}

describe('breaker history across two gateway replicas', () => {
  let failing: Simulator;
  let healthy: Simulator;
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    [failing, healthy] = await Promise.all([
      startOpenAISimulator({ faults: [{ type: 'server_error' }] }),
      startOpenAISimulator(),
    ]);
    const env = {
      OPENAI_API_KEY: 'sk-test-failing',
      OPENAI_BASE_URL: `${failing.url}/v1`,
      GROQ_API_KEY: 'gsk-test-healthy',
      GROQ_BASE_URL: `${healthy.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
    };
    first = await createTestGateway(env);
    second = await createTestGateway(env, { databases: first.databases, keyPrefix: first.keyPrefix });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await Promise.all([failing.close(), healthy.close()]);
  });

  const transitionsOf = async (gateway: TestGateway, provider: string) => {
    const response = await gateway.app.inject({
      url: '/api/admin/providers/stats?hours=1&bucketMinutes=60',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(response.statusCode).toBe(200);
    return response
      .json<{ providers: { provider: string; breakerTransitions: Transition[] }[] }>()
      .providers.find((entry) => entry.provider === provider)!.breakerTransitions;
  };

  it('records an opening once, though both replicas hear it, and both show it', async () => {
    const { key } = await first.createUser();
    for (let index = 0; index < 4; index += 1)
      await first.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${key}` },
        payload: { model: 'auto', messages: [{ role: 'user', content: `fail ${index}` }] },
      });
    const health = await first.app.inject({
      url: '/api/providers/health',
      headers: { authorization: `Bearer ${key}` },
    });
    const openai = health
      .json<{ providers: { provider: string; breaker: { state: string; openUntil: string } }[] }>()
      .providers.find((entry) => entry.provider === 'openai')!;
    expect(openai.breaker.state).toBe('open');

    // Both replicas receive the breaker's message; wait until each has handled it.
    await vi.waitFor(async () => expect(await transitionsOf(second, 'openai')).toHaveLength(1));
    await Promise.all([first.app.breakerHistory.settled(), second.app.breakerHistory.settled()]);
    for (const gateway of [first, second]) {
      const transitions = await transitionsOf(gateway, 'openai');
      expect(transitions).toEqual([
        { at: expect.any(String), state: 'open', openUntil: openai.breaker.openUntil },
      ]);
      expect(await transitionsOf(gateway, 'groq')).toEqual([]);
    }
  });
});
