import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, readAll, startConnectionObserver, type TestGateway } from '../../helper.js';

describe('POST /v1/chat/completions streaming: heartbeats, headers and client disconnects', () => {
  let simulator: Simulator;
  let observer: Awaited<ReturnType<typeof startConnectionObserver>>;
  let gateway: TestGateway;
  let baseUrl: string;
  let authorization: string;

  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    // Every upstream byte passes the observer, so the test sees the gateway closing the upstream connection.
    observer = await startConnectionObserver(simulator.url);
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-stream',
      OPENAI_BASE_URL: `${observer.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
      STREAM_HEARTBEAT_MS: '100',
      // Generous upstream timers: only a client disconnect can close a stalled upstream call within the test.
      LLM_DEADLINE_MS: '120000',
      LLM_FIRST_TOKEN_TIMEOUT_MS: '60000',
      LLM_IDLE_TIMEOUT_MS: '60000',
      LLM_TOTAL_TIMEOUT_MS: '60000',
    });
    baseUrl = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    authorization = `Bearer ${(await gateway.createUser()).key}`;
  });
  afterAll(async () => {
    await gateway.close();
    await observer.close();
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  const post = (body: unknown, signal?: AbortSignal) =>
    fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });

  it('sends heartbeat comments while the first token is slow, then the whole answer, with x-gateway headers', async () => {
    // The first token comes long after several heartbeat periods.
    simulator.setFaults([{ type: 'slow_first_token', delayMs: 1_500, times: 1 }]);
    const response = await post({
      model: 'auto',
      messages: [{ role: 'user', content: 'Slow start' }],
      stream: true,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const text = await readAll(response.body as ReadableStream<Uint8Array>);
    const firstData = text.indexOf('data: ');
    expect(text.slice(0, firstData)).toContain(': keep-alive\n\n');
    const events = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => event.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map(
      (event) =>
        JSON.parse(event) as {
          choices: Array<{ delta: { content?: string } }>;
          x_gateway?: { contributors: unknown[] };
        },
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toContain(
      'Simulated answer about Slow start',
    );
    expect(chunks.at(-1)?.x_gateway?.contributors).toEqual([{ provider: 'openai', model: 'gpt-4o-mini' }]);
  });

  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    simulator.setFaults([{ type: 'stall_after_tokens', tokens: 3, times: 1 }]);
    const controller = new AbortController();
    const response = await post(
      { model: 'auto', messages: [{ role: 'user', content: 'Leave early' }], stream: true },
      controller.signal,
    );
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('"content"')) seen += new TextDecoder().decode((await reader.read()).value);
    const upstreamClosed = observer.nextClose();
    controller.abort();
    await upstreamClosed;
    expect(simulator.requests).toHaveLength(1);
  });

  it('aborts the upstream call when the client of a non-streamed request disconnects', async () => {
    simulator.setFaults([{ type: 'no_response', times: 1 }]);
    const controller = new AbortController();
    const pending = post(
      { model: 'auto', messages: [{ role: 'user', content: 'Never mind' }] },
      controller.signal,
    ).catch((error: unknown) => error);
    await expect.poll(() => simulator.requests.length).toBe(1);
    const upstreamClosed = observer.nextClose();
    controller.abort();
    await upstreamClosed;
    expect(await pending).toBeInstanceOf(Error);
  });
});
