import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, parseSseAnswer, readAll, type TestGateway } from '../helper.js';

/** Sends `head` and the first bytes of a body over a raw socket, and resolves with the status line answered. */
async function statusLineFor(port: number, head: string, firstBodyBytes: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`${head}\r\n\r\n${firstBodyBytes}`);
  let received = '';
  socket.setEncoding('utf8');
  for await (const chunk of socket) {
    received += String(chunk);
    if (received.includes('\r\n')) break;
  }
  socket.destroy();
  return received.split('\r\n')[0] ?? '';
}

describe('the edge: authentication before the body, and a bound on receiving a request', () => {
  let simulator: Simulator;
  let gateway: TestGateway;
  let port: number;
  let key: string;

  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    gateway = await createTestGateway({
      REQUEST_TIMEOUT_MS: '1000',
      HEADERS_TIMEOUT_MS: '1000',
      OPENAI_API_KEY: 'sk-test-edge',
      OPENAI_BASE_URL: `${simulator.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
      STREAM_HEARTBEAT_MS: '200',
      LLM_FIRST_TOKEN_TIMEOUT_MS: '10000',
    });
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    port = (gateway.app.server.address() as AddressInfo).port;
    key = (await gateway.createUser()).key;
  });
  afterAll(async () => {
    await gateway.close();
    await simulator.close();
  });

  const chatHead = (authorization: string, contentLength: number) =>
    [
      'POST /v1/chat/completions HTTP/1.1',
      'host: 127.0.0.1',
      `authorization: ${authorization}`,
      'content-type: application/json',
      `content-length: ${contentLength}`,
    ].join('\r\n');

  it('answers 401 to a bad key without waiting for (or reading) the announced 1 MB body', async () => {
    const status = await statusLineFor(port, chatHead('Bearer sy-not-a-real-key', 1_000_000), '{"model":');
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('cuts a client that trickles its body with 408 after REQUEST_TIMEOUT_MS (it used to wait forever)', async () => {
    const status = await statusLineFor(port, chatHead(`Bearer ${key}`, 1_000), '{"model":');
    expect(status).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('never cuts a response: an SSE stream outlasting REQUEST_TIMEOUT_MS (and its 1 s check) ends in [DONE]', async () => {
    // Receiving the request is bounded; answering is not. The first token arrives after 2.5 timeouts.
    simulator.setFaults([{ type: 'slow_first_token', delayMs: 2_500, times: 1 }]);
    const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'slow' }] }),
    });
    expect(response.status).toBe(200);
    const answer = parseSseAnswer(await readAll(response.body!));
    expect(answer.done).toBe(true);
    expect(answer.text.length).toBeGreaterThan(0);
  });
});
