import { once } from 'node:events';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

describe('own provider keys across replicas', () => {
  // `server` is the operator's OpenAI endpoint; `own` the endpoint the user's own key points at.
  let server: Simulator;
  let own: Simulator;
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    [server, own] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
    const env = {
      OPENAI_API_KEY: 'sk-test-server-key',
      OPENAI_BASE_URL: `${server.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
    };
    first = await createTestGateway(env);
    second = await createTestGateway(env, { databases: first.databases, keyPrefix: first.keyPrefix });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await Promise.all([server.close(), own.close()]);
  });

  it('a key stored or deleted on one instance is used or dropped at once by the other, whose routing was cached', async () => {
    const user = await first.createUser();
    const headers = { authorization: `Bearer ${user.key}` };
    const providerOnSecond = async () =>
      (
        await second.app.inject({
          method: 'POST',
          url: '/v1/chat/completions',
          headers,
          payload: { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
        })
      ).headers['x-gateway-provider'];
    // Loads and caches the user's routing (no own key yet) on the second instance.
    expect(await providerOnSecond()).toBe('openai');

    const storedReachedSecond = once(second.app.userRouting.events, 'invalidated');
    const put = await first.app.inject({
      method: 'PUT',
      url: '/api/ai-agents/my-agents',
      headers,
      payload: { provider: 'openai', apiKey: 'sk-own-user-key-5e1d', baseUrl: `${own.url}/v1` },
    });
    expect(put.statusCode).toBe(200);
    const { id } = put.json<{ id: string }>();
    expect(await storedReachedSecond).toEqual([user.id]);
    expect(await providerOnSecond()).toBe(`openai:own-${id}`);
    expect(own.requests).toHaveLength(1);

    const deletedReachedSecond = once(second.app.userRouting.events, 'invalidated');
    expect(
      (await first.app.inject({ method: 'DELETE', url: `/api/ai-agents/my-agents/${id}`, headers }))
        .statusCode,
    ).toBe(204);
    await deletedReachedSecond;
    expect(await providerOnSecond()).toBe('openai');
    expect(own.requests).toHaveLength(1);
  });
});
