import {
  openAIDialect,
  startOpenAISimulator,
  startSimulatorServer,
  type Simulator,
} from '@switchyard/llm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, parseSseAnswer, type TestGateway } from '../../helper.js';

describe('content-policy refusals are answered as refusals, never as gateway failures', () => {
  let primary: Simulator;
  let fallback: Simulator;
  // An OpenAI-wire upstream that stops its answers midway with finish_reason `content_filter` (as Azure OpenAI does).
  let refusingMidAnswer: Simulator;
  let gateway: TestGateway;
  let strict: TestGateway;
  let midAnswer: TestGateway;
  let authorization: string;

  beforeAll(async () => {
    [primary, fallback, refusingMidAnswer] = await Promise.all([
      startOpenAISimulator(),
      startOpenAISimulator(),
      startSimulatorServer({
        ...openAIDialect,
        streamEnd: (answer) => openAIDialect.streamEnd({ ...answer, finishReason: 'content_filter' }),
      }),
    ]);
    const env = {
      OPENAI_API_KEY: 'sk-test-primary',
      OPENAI_BASE_URL: `${primary.url}/v1`,
      GROQ_API_KEY: 'gsk-test-fallback',
      GROQ_BASE_URL: `${fallback.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
    };
    gateway = await createTestGateway(env);
    strict = await createTestGateway(
      { ...env, LLM_FALLBACK_ON_REFUSAL: 'false' },
      { databases: gateway.databases },
    );
    midAnswer = await createTestGateway(
      {
        OPENAI_API_KEY: 'sk-test-mid-answer',
        OPENAI_BASE_URL: `${refusingMidAnswer.url}/v1`,
        LLM_FALLBACK_ORDER: 'openai',
      },
      { databases: gateway.databases },
    );
    authorization = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(async () => {
    await midAnswer.close();
    await strict.close();
    await gateway.close();
    await Promise.all([primary.close(), fallback.close(), refusingMidAnswer.close()]);
  });
  beforeEach(() => {
    for (const simulator of [primary, fallback, refusingMidAnswer]) simulator.reset();
  });

  const chat = (target: TestGateway, stream: boolean, content = 'Tell me something') =>
    target.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization },
      payload: { model: 'auto', stream, messages: [{ role: 'user', content }] },
    });

  it('answers from the next provider when the first refuses (JSON and stream)', async () => {
    for (const stream of [false, true]) {
      primary.setFaults([{ type: 'content_filter', times: 1 }]);
      const response = await chat(gateway, stream, `Refused once ${stream}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-gateway-provider']).toBe('groq');
      const text = stream ? parseSseAnswer(response.body).text : response.json().choices[0].message.content;
      expect(text).toContain(`Simulated answer about Refused once ${stream}`);
      expect(primary.requests).toHaveLength(stream ? 2 : 1);
    }
  });

  it('gives 400 content_filter with the provider’s reason when every provider refuses, never 502', async () => {
    for (const stream of [false, true]) {
      primary.setFaults([{ type: 'content_filter' }]);
      fallback.setFaults([{ type: 'content_filter' }]);
      const response = await chat(gateway, stream);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'content_filter' },
      });
      // The provider's reason, safe to show: who refused, and why.
      expect(response.json().error.message).toMatch(/openai.*content policy/i);
    }
  });

  it('with LLM_FALLBACK_ON_REFUSAL=false, returns the first refusal without asking the next provider', async () => {
    primary.setFaults([{ type: 'content_filter' }]);
    const response = await chat(strict, false);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'content_filter' } });
    expect(fallback.requests).toHaveLength(0);
  });

  it('ends a stream refused mid-answer with finish_reason content_filter and a clean [DONE]', async () => {
    const response = await chat(midAnswer, true, 'Half an answer');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const answer = parseSseAnswer(response.body);
    expect(answer.text).toContain('Simulated answer about Half an answer');
    expect(answer.finishReasons).toEqual(['content_filter']);
    expect(answer.errors).toEqual([]);
    expect(answer.done).toBe(true);
  });
});
