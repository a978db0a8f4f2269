import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import OpenAI, { APIError } from 'openai';
import { sql } from '@switchyard/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../../helper.js';

describe('POST /v1/chat/completions through the official openai SDK', () => {
  let primary: Simulator;
  let secondary: Simulator;
  let gateway: TestGateway;
  let client: OpenAI;
  let userKey: string;
  const env = () => ({
    OPENAI_API_KEY: 'sk-test-primary',
    OPENAI_BASE_URL: `${primary.url}/v1`,
    GROQ_API_KEY: 'gsk-test-secondary',
    GROQ_BASE_URL: `${secondary.url}/v1`,
    LLM_FALLBACK_ORDER: 'openai,groq',
    LLM_FIRST_TOKEN_TIMEOUT_MS: '1000',
    LLM_TOTAL_TIMEOUT_MS: '1500',
    METRICS_FLUSH_INTERVAL_MS: '50',
    LLM_PASSTHROUGH_PARAMS: 'seed,metadata',
  });

  /** A replica on the same databases with its own Redis prefix, so breakers a failure test opens start closed and stay there. */
  async function withFreshBreakers(
    run: (isolatedClient: OpenAI, replica: TestGateway) => Promise<void>,
  ): Promise<void> {
    const replica = await createTestGateway(env(), { databases: gateway.databases });
    try {
      const address = await replica.app.listen({ port: 0, host: '127.0.0.1' });
      await run(new OpenAI({ apiKey: userKey, baseURL: `${address}/v1`, maxRetries: 0 }), replica);
    } finally {
      await replica.close();
    }
  }

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
    gateway = await createTestGateway(env());
    const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    userKey = (await gateway.createUser()).key;
    client = new OpenAI({ apiKey: userKey, baseURL: `${address}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([primary.close(), secondary.close()]);
  });
  beforeEach(() => {
    primary.reset();
    secondary.reset();
  });

  it('answers a plain request with the x-gateway headers and the answering model', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Hello there' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('Simulated answer about Hello there');
    expect(data.model).toBe('gpt-4o-mini');
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(Number(response.headers.get('x-gateway-overhead-ms'))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuses a top-level field the deployment does not pass through: 400 unsupported_parameter naming it', async () => {
    const refused = client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      logit_bias: { '42': 5 },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(refused).rejects.toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      param: 'logit_bias',
      message: expect.stringContaining('`logit_bias`') as string,
    });
    expect(primary.requests).toHaveLength(0);
  });

  it('passes the fields listed in LLM_PASSTHROUGH_PARAMS on to an OpenAI-compatible provider', async () => {
    await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 7,
      metadata: { tag: 'kept' },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(primary.requests[0]?.body).toMatchObject({ seed: 7, metadata: { tag: 'kept' } });
  });

  it('streams chunks the SDK assembles into the same answer', async () => {
    const stream = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'Stream me' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(
      'Simulated answer about Stream me. It has several words so that streams carry many tokens and tests can cut them anywhere.',
    );
  });

  it('returns tool calls, plain and streamed', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const completion = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather' },
    });
    const stream = client.chat.completions.stream({
      model: 'auto',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
  });

  it('falls back invisibly on 429, 5xx and timeouts', async () => {
    for (const fault of [
      { type: 'rate_limit_persistent' as const, times: 2 },
      { type: 'server_error' as const, times: 2 },
      { type: 'no_response' as const, times: 2 },
    ]) {
      await withFreshBreakers(async (isolatedClient) => {
        primary.setFaults([fault]);
        const { data, response } = await isolatedClient.chat.completions
          .create({ model: 'auto', messages: [{ role: 'user', content: `Fallback ${fault.type}` }] })
          .withResponse();
        expect(data.choices[0]?.message.content).toContain(`Simulated answer about Fallback ${fault.type}`);
        expect(response.headers.get('x-gateway-provider')).toBe('groq');
        expect(data.model).toBe('llama-3.3-70b-versatile');
      });
    }
  });

  it('continues a stream cut mid-answer on the next provider, invisibly', async () => {
    primary.setFaults([{ type: 'cut_after_tokens', tokens: 4, times: 2 }]);
    const stream = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'Cut me' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(
      'Simulated answer about Cut me. It has several words so that streams carry many tokens and tests can cut them anywhere.',
    );
    expect(secondary.requests).toHaveLength(1);
  });

  it('records every fallback in provider_fallback_events', async () => {
    await withFreshBreakers(async (isolatedClient, replica) => {
      primary.setFaults([{ type: 'server_error', times: 2 }]);
      const { response } = await isolatedClient.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content: 'Record me' }] })
        .withResponse();
      const requestId = response.headers.get('x-request-id')!;
      await replica.app.recorders.fallbacks.flush();
      const rows = await gateway.databases.platform.db.execute<{
        from_provider: string;
        to_provider: string;
        error_kind: string;
      }>(
        sql`select from_provider, to_provider, error_kind from provider_fallback_events where request_id = ${requestId}`,
      );
      expect(rows.rows).toEqual([{ from_provider: 'openai', to_provider: 'groq', error_kind: 'server' }]);
    });
  });

  it('gives the documented 502 the SDK surfaces as an APIError when every provider fails', async () => {
    await withFreshBreakers(async (isolatedClient) => {
      primary.setFaults([{ type: 'server_error' }]);
      secondary.setFaults([{ type: 'server_error' }]);
      const error = await isolatedClient.chat.completions
        .create({ model: 'auto', messages: [{ role: 'user', content: 'Doomed' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(APIError);
      const apiError = error as APIError;
      expect(apiError.status).toBe(502);
      expect(apiError.code).toBe('all_providers_failed');
      expect(apiError.message).toMatch(/openai \(server 500\).*groq \(server 500\)/);
      expect((apiError.error as { attempts: unknown[] }).attempts.length).toBeGreaterThanOrEqual(2);
    });
  });
});
