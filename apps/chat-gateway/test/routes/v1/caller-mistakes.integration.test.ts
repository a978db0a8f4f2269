import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../../helper.js';

interface ProviderHealthView {
  provider: string;
  breaker: { state: string; consecutiveFailures: number };
}

describe('a caller’s mistakes never reach or trip a shared provider', () => {
  // `primary` and `fallback` are the operator's OpenAI and Groq endpoints; `own` the endpoint of a user's own key.
  let primary: Simulator;
  let fallback: Simulator;
  let own: Simulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    [primary, fallback, own] = await Promise.all([
      startOpenAISimulator(),
      startOpenAISimulator(),
      startOpenAISimulator(),
    ]);
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-primary',
      OPENAI_BASE_URL: `${primary.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini,gpt-4.1,ft:gpt-4o-mini:acme::7',
      GROQ_API_KEY: 'gsk-test-fallback',
      GROQ_BASE_URL: `${fallback.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([primary.close(), fallback.close(), own.close()]);
  });
  beforeEach(() => {
    for (const simulator of [primary, fallback, own]) simulator.reset();
  });

  const chat = (key: string, model: string, stream = false) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      payload: { model, stream, messages: [{ role: 'user', content: 'hi' }] },
    });

  /** The shared breaker of a server provider, as GET /api/providers/health reports it. */
  async function breakerOf(provider: string, key: string) {
    const health = await gateway.app.inject({
      url: '/api/providers/health',
      headers: { authorization: `Bearer ${key}` },
    });
    return health
      .json<{ providers: ProviderHealthView[] }>()
      .providers.find((candidate) => candidate.provider === provider)?.breaker;
  }

  it('answers 20 requests for an unknown model with 404 and no upstream call; the next user is served by the primary', async () => {
    const prober = await gateway.createUser();
    const models = ['gpt-does-not-exist', 'openai/gpt-does-not-exist', 'gpt-4o', 'groq/llama-9-imaginary'];
    for (let index = 0; index < 20; index += 1) {
      const response = await chat(prober.key, models[index % models.length]!, index % 3 === 0);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
      });
    }
    expect(primary.requests).toHaveLength(0);
    expect(fallback.requests).toHaveLength(0);
    expect(await breakerOf('openai', prober.key)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });

    const other = await gateway.createUser();
    const answer = await chat(other.key, 'auto');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['x-gateway-provider']).toBe('openai');
    expect(answer.headers['x-gateway-attempts']).toBe('1');
    expect(primary.requests).toHaveLength(1);
  });

  it('400 naming the field when a forwarded field cannot be serialized, and the provider stays healthy', async () => {
    const depth = 8_000;
    const user = await gateway.createUser();
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
      payload: `{"model":"auto","messages":[{"role":"user","content":"hi"}],"metadata":{"tags":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(JSON.stringify(response.json().error)).toContain('metadata');
    expect(primary.requests).toHaveLength(0);
    expect(fallback.requests).toHaveLength(0);
    expect(await breakerOf('openai', user.key)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    const next = await chat(user.key, 'auto');
    expect(next.statusCode).toBe(200);
    expect(next.headers['x-gateway-provider']).toBe('openai');
    expect(next.headers['x-gateway-attempts']).toBe('1');
  });

  it('serves what OPENAI_MODELS lists, fine-tunes included, and dated snapshots of listed models', async () => {
    const user = await gateway.createUser();
    for (const model of ['openai/gpt-4.1', 'ft:gpt-4o-mini:acme::7', 'gpt-4.1-2025-04-14']) {
      const response = await chat(user.key, model);
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-gateway-provider']).toBe('openai');
    }
    expect(primary.requests.map((request) => (request.body as { model: string }).model)).toEqual([
      'gpt-4.1',
      'ft:gpt-4o-mini:acme::7',
      'gpt-4.1-2025-04-14',
    ]);
  });

  it('lists only the served models in GET /v1/models', async () => {
    const user = await gateway.createUser();
    const response = await gateway.app.inject({
      url: '/v1/models',
      headers: { authorization: `Bearer ${user.key}` },
    });
    const ids = response.json<{ data: { id: string }[] }>().data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['openai/gpt-4.1', 'openai/ft:gpt-4o-mini:acme::7']));
    expect(ids).not.toContain('openai/gpt-4o');
  });

  it('does not restrict a user’s own key: a model the server key does not serve goes to it', async () => {
    const user = await gateway.createUser();
    const put = await gateway.app.inject({
      method: 'PUT',
      url: '/api/ai-agents/my-agents',
      headers: { authorization: `Bearer ${user.key}` },
      payload: {
        provider: 'openai',
        apiKey: 'sk-own-user-key-0042',
        baseUrl: `${own.url}/v1`,
        model: 'gpt-4o',
      },
    });
    expect(put.statusCode).toBe(200);
    const response = await chat(user.key, 'openai/gpt-5-preview');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-gateway-provider']).toMatch(/^openai:own-/);
    expect(own.requests.map((request) => (request.body as { model: string }).model)).toEqual([
      'gpt-5-preview',
    ]);
    expect(primary.requests).toHaveLength(0);
  });
});
