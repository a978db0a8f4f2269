import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

describe('error answers use the OpenAI envelope with a truthful status', () => {
  let simulator: Simulator;
  let gateway: TestGateway;
  let authorization: string;

  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-errors',
      OPENAI_BASE_URL: `${simulator.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
      MAX_BODY_BYTES: '2048',
    });
    authorization = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(async () => {
    await gateway.close();
    await simulator.close();
  });

  const chat = (payload: unknown, headers: Record<string, string> = { authorization }) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(payload),
    });

  it('400 names the invalid field', async () => {
    const missing = await chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'missing_required_parameter', param: 'model' },
    });
    const badRole = await chat({ model: 'auto', messages: [{ role: 'wizard', content: 'hi' }] });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().error.param).toBe('messages[0].role');
  });

  it('400 invalid_value naming x-gateway-hedge when it is neither on nor off', async () => {
    const payload = { model: 'auto', messages: [{ role: 'user', content: 'hi' }] };
    const upstreamCalls = simulator.requests.length;
    const response = await chat(payload, { authorization, 'x-gateway-hedge': 'maybe' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'invalid_value', param: 'x-gateway-hedge' },
    });
    expect(response.json().error.message).toBe('`x-gateway-hedge` must be one of: on, off.');
    expect(simulator.requests).toHaveLength(upstreamCalls);
    for (const value of ['on', 'off'])
      expect((await chat(payload, { authorization, 'x-gateway-hedge': value })).statusCode).toBe(200);
  });

  it('400 content_filter with the provider’s reason when the only provider refuses, JSON and stream', async () => {
    for (const stream of [false, true]) {
      simulator.setFaults([{ type: 'content_filter' }]);
      const response = await chat({ model: 'auto', stream, messages: [{ role: 'user', content: 'hi' }] });
      simulator.setFaults([]);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'content_filter' },
      });
      expect(response.json().error.message).toMatch(/openai.*content policy/i);
    }
    // A refusal is about the prompt, not the provider: the next request is answered by it at once.
    const next = await chat({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
    expect(next.statusCode).toBe(200);
    expect(next.headers['x-gateway-provider']).toBe('openai');
  });

  it('413 when the body is over MAX_BODY_BYTES', async () => {
    const response = await chat({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(4_000) }] });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'request_too_large' } });
    expect(response.json().error.message).toContain('2048');
  });

  it('404 model_not_found for a model no provider serves, and the gap is counted', async () => {
    const response = await chat({ model: 'no-such-model-xyz', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'model_not_found', param: 'model' } });
    // The gap is written off the request path, so it may land just after the answer.
    await vi.waitFor(async () => {
      const gaps = await gateway.databases.platform.pool.query<{ occurrence_count: number }>(
        `select occurrence_count from capability_gaps where capability = 'model:no-such-model-xyz'`,
      );
      expect(gaps.rows[0]?.occurrence_count).toBeGreaterThanOrEqual(1);
    });
  });

  it('401 for a missing, wrong or malformed key, without echoing it', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer sy-wrong-key-123456' },
      { authorization: 'Bearer nonsense' },
    ] as Record<string, string>[]) {
      const response = await chat({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }, headers);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
      expect(response.body).not.toContain('wrong-key');
    }
  });

  it('400 for a body that is not JSON', async () => {
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization, 'content-type': 'application/json' },
      payload: '{"model":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('503 no_providers_configured in production without keys, naming the variables to set', async () => {
    const bare = await createTestGateway(
      { NODE_ENV: 'production', SECRETS_KEY: 'a'.repeat(64), LLM_FALLBACK_ORDER: 'openai,gemini' },
      { databases: gateway.databases, keyPrefix: gateway.keyPrefix },
    );
    try {
      const response = await bare.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization },
        payload: { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'no_providers_configured' } });
      expect(response.json().error.message).toContain('OPENAI_API_KEY');
    } finally {
      await bare.close();
    }
  });

  it('never puts a stack trace in a response', async () => {
    simulator.setFaults([{ type: 'server_error' }]);
    const response = await chat({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
    simulator.setFaults([]);
    expect(response.statusCode).toBe(502);
    expect(response.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(response.body).not.toContain('sk-test-errors');
  });
});
