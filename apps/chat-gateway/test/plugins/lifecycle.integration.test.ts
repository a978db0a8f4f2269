import { sql } from '@switchyard/db';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../helper.js';

describe('graceful shutdown', () => {
  let simulator: Simulator | undefined;
  let gateway: TestGateway | undefined;

  afterEach(async () => {
    await gateway?.close();
    await simulator?.close();
  });

  async function start(tokenDelayMs: number, shutdownGraceMs: number) {
    simulator = await startOpenAISimulator({ tokenDelayMs });
    gateway = await createTestGateway({
      OPENAI_API_KEY: 'sk-test-shutdown',
      OPENAI_BASE_URL: `${simulator.url}/v1`,
      LLM_FALLBACK_ORDER: 'openai',
      SHUTDOWN_GRACE_MS: String(shutdownGraceMs),
      // Only the shutdown flush can write this test's rows.
      METRICS_FLUSH_INTERVAL_MS: '600000',
      LLM_DEADLINE_MS: '60000',
      LLM_IDLE_TIMEOUT_MS: '30000',
      LLM_TOTAL_TIMEOUT_MS: '60000',
    });
    const baseUrl = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const authorization = `Bearer ${(await gateway.createUser()).key}`;
    const post = (body: unknown) =>
      fetch(`${baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    /** Starts a stream and resolves once its first content arrived, with the reader positioned after it. */
    const openStream = async () => {
      const response = await post({
        model: 'auto',
        messages: [{ role: 'user', content: 'Finish me' }],
        stream: true,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let seen = '';
      while (!seen.includes('"content":"Simulated'))
        seen += new TextDecoder().decode((await reader.read()).value);
      const rest = async () => {
        let text = seen;
        for (let next = await reader.read(); !next.done; next = await reader.read())
          text += new TextDecoder().decode(next.value);
        return text;
      };
      return { requestId: response.headers.get('x-request-id')!, rest };
    };
    return { baseUrl, post, openStream, app: gateway.app };
  }

  it('goes unready and refuses new requests at once, lets an in-flight stream finish, and flushes its rows', async () => {
    const { baseUrl, post, openStream, app } = await start(30, 30_000);
    const stream = await openStream();
    const closing = app.close();

    const ready = await fetch(`${baseUrl}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      checks: { shutdown: { ok: false, code: 'shutting_down' } },
    });
    const refused = await post({ model: 'auto', messages: [{ role: 'user', content: 'Too late' }] });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'shutting_down', type: 'api_error' } });

    const text = await stream.rest();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"content":"anywhere."');
    await closing;

    const usage = (await gateway!.usageEvents()).filter((event) => event.requestId === stream.requestId);
    expect(usage.map(({ status, streaming }) => ({ status, streaming }))).toEqual([
      { status: 'success', streaming: true },
    ]);
    const metrics = await gateway!.databases.platform.db.execute<{ count: number }>(
      sql`select count(*)::int as count from system_performance_metrics where metric_name = 'request_latency_ms'`,
    );
    expect(metrics.rows[0]?.count).toBeGreaterThanOrEqual(1);
  });

  it('cuts a stream still running when SHUTDOWN_GRACE_MS is over, without [DONE]', async () => {
    // About 20 tokens, one every 500 ms: far longer than the grace.
    const { openStream, app } = await start(500, 200);
    const stream = await openStream();
    await app.close();
    const text = await stream.rest();
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('"content":"anywhere."');
  });

  // Fastify bounds application hooks, preClose included, by its plugin timeout (10 s by default): a grace at
  // least that long used to make close() fail or hang with the stream still open.
  it('still finishes closing when SHUTDOWN_GRACE_MS is longer than Fastify’s default plugin timeout', async () => {
    const { openStream, app } = await start(1_000, 10_500);
    const stream = await openStream();
    await app.close();
    expect(await stream.rest()).not.toContain('[DONE]');
  }, 30_000);
});
