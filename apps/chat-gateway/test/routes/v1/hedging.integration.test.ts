import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestGateway,
  parseSseAnswer,
  startConnectionObserver,
  type TestGateway,
} from '../../helper.js';

describe('hedged first token (LLM_HEDGE_AFTER_MS, x-gateway-hedge)', () => {
  let primary: Simulator;
  let fallback: Simulator;
  let observer: Awaited<ReturnType<typeof startConnectionObserver>>;
  let gateway: TestGateway;
  let authorization: string;

  beforeAll(async () => {
    [primary, fallback] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
    // Every byte to the primary passes the observer, so the test sees the gateway abort the losing attempt.
    observer = await startConnectionObserver(primary.url);
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-primary',
      OPENAI_BASE_URL: `${observer.url}/v1`,
      GROQ_API_KEY: 'gsk-test-fallback',
      GROQ_BASE_URL: `${fallback.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai,groq',
      LLM_HEDGE_AFTER_MS: '200',
      // Far above the hedge delay: only hedging, not the first-token timeout, can bring the fallback in early.
      LLM_FIRST_TOKEN_TIMEOUT_MS: '20000',
      LLM_DEADLINE_MS: '30000',
    });
    authorization = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(async () => {
    await gateway.close();
    await observer.close();
    await Promise.all([primary.close(), fallback.close()]);
  });
  beforeEach(() => {
    primary.reset();
    fallback.reset();
  });

  const stream = (content: string, hedge?: string) =>
    gateway.app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { authorization, ...(hedge ? { 'x-gateway-hedge': hedge } : {}) },
      payload: { model: 'auto', stream: true, messages: [{ role: 'user', content }] },
    });

  it('answers from the fallback when the primary’s first token is late, and aborts the primary', async () => {
    primary.setFaults([{ type: 'slow_first_token', delayMs: 5_000, times: 1 }]);
    const primaryClosed = observer.nextClose();
    const response = await stream('Hedge me');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-gateway-provider']).toBe('groq');
    expect(response.headers['x-gateway-attempts']).toBe('2');
    const answer = parseSseAnswer(response.body);
    expect(answer.text).toBe(
      'Simulated answer about Hedge me. It has several words so that streams carry many tokens and tests can cut them anywhere.',
    );
    expect(answer.contributors).toEqual(['groq']);
    expect(answer.done).toBe(true);
    // The losing upstream call is cancelled, not left to run.
    await primaryClosed;
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(1);

    // Both attempts are on the books (usage stream): the loser read the prompt, so it costs.
    const requestId = response.headers['x-request-id'] as string;
    const events = (await gateway.usageEvents())
      .filter((event) => event.requestId === requestId)
      .sort((a, b) => a.provider.localeCompare(b.provider));
    expect(events).toMatchObject([
      { provider: 'groq', status: 'success', errorKind: null, final: true },
      { provider: 'openai', status: 'error', errorKind: 'hedge_cancelled', final: false },
    ]);
    expect(events[1]!.promptTokens).toBeGreaterThan(0);
    expect(events[1]!.costUsd).toBeGreaterThan(0);
  });

  it('never starts a second provider when the primary answers in time', async () => {
    const response = await stream('Quick one', 'on');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-gateway-provider']).toBe('openai');
    expect(parseSseAnswer(response.body).contributors).toEqual(['openai']);
    expect(fallback.requests).toHaveLength(0);
  });

  it('waits for the primary when the request says x-gateway-hedge: off', async () => {
    primary.setFaults([{ type: 'slow_first_token', delayMs: 1_000, times: 1 }]);
    const response = await stream('No hedge', 'off');
    expect(response.statusCode).toBe(200);
    const answer = parseSseAnswer(response.body);
    expect(answer.contributors).toEqual(['openai']);
    expect(answer.text).toContain('Simulated answer about No hedge');
    expect(fallback.requests).toHaveLength(0);
  });
});
