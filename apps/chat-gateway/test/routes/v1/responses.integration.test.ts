import { sql } from '@switchyard/db';
import { startOpenAISimulator, type Simulator } from '@switchyard/llm/testing';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, readAll, type TestGateway } from '../../helper.js';

const answerAbout = (topic: string) =>
  `Simulated answer about ${topic}. It has several words so that streams carry many tokens and tests can cut them anywhere.`;

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

describe('POST /v1/responses through the official openai SDK', () => {
  let primary: Simulator;
  let secondary: Simulator;
  let gateway: TestGateway;
  let address: string;
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
  });

  /** A replica on the same databases with its own Redis prefix, so the breakers a failure test opens stay there. */
  async function withFreshBreakers(
    run: (isolatedClient: OpenAI, replica: TestGateway) => Promise<void>,
  ): Promise<void> {
    const replica = await createTestGateway(env(), { databases: gateway.databases });
    try {
      const replicaAddress = await replica.app.listen({ port: 0, host: '127.0.0.1' });
      await run(new OpenAI({ apiKey: userKey, baseURL: `${replicaAddress}/v1`, maxRetries: 0 }), replica);
    } finally {
      await replica.close();
    }
  }

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
    gateway = await createTestGateway(env());
    address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
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

  it('answers a plain request with a Response object, usage and the x-gateway headers, and records its usage', async () => {
    const { data, response } = await client.responses
      .create({ model: 'auto', input: 'Hello there', instructions: 'Be brief.', metadata: { tag: 'kept' } })
      .withResponse();
    expect(data.id).toMatch(/^resp_/);
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.model).toBe('gpt-4o-mini');
    expect(data.output_text).toBe(answerAbout('Hello there'));
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(data.metadata).toEqual({ tag: 'kept' });
    expect(data.usage).toMatchObject({ input_tokens_details: { cached_tokens: 0 } });
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    // The instructions reached the provider as the system message, before the input.
    expect(primary.requests[0]?.body).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    const requestId = response.headers.get('x-request-id')!;
    // The usage event is in the stream before the answer completes.
    const events = (await gateway.usageEvents()).filter((event) => event.requestId === requestId);
    expect(events.map(({ endpoint, status }) => ({ endpoint, status }))).toEqual([
      { endpoint: 'responses', status: 'success' },
    ]);
  });

  it('streams the typed events in order, with sequence numbers, ending in the full text', async () => {
    const stream = await client.responses.create({ model: 'auto', input: 'Stream me', stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    const deltas = types.filter((type) => type === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThan(3);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array.from({ length: deltas }, () => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const text = events.flatMap((event) =>
      event.type === 'response.output_text.delta' ? [event.delta] : [],
    );
    expect(text.join('')).toBe(answerAbout('Stream me'));
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.output_text ?? completed.response.output).toBeTruthy();
    expect(completed.response.usage?.output_tokens).toBeGreaterThan(0);
    // Streamed responses are stored too, by the time `response.completed` arrives.
    const stored = await client.responses.retrieve(completed.response.id);
    expect(stored.output_text).toBe(answerAbout('Stream me'));
  });

  it('names each SSE frame by its event type, as OpenAI does, and ends without [DONE]', async () => {
    const response = await fetch(`${address}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', input: 'Frames', stream: true }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    const frames = (await readAll(response.body as ReadableStream<Uint8Array>))
      .split('\n\n')
      .filter((frame) => frame.startsWith('event: '));
    expect(frames.length).toBeGreaterThan(5);
    for (const frame of frames) {
      const [eventLine, dataLine] = frame.split('\n');
      const data = JSON.parse(dataLine!.slice('data: '.length)) as { type: string };
      expect(eventLine).toBe(`event: ${data.type}`);
    }
    expect(frames.at(-1)).toMatch(/^event: response.completed\n/);
  });

  it('documents every Responses route in the OpenAPI document', async () => {
    const document = (await (await fetch(`${address}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(document.paths['/v1/responses']?.post?.tags).toEqual(['responses']);
    expect(Object.keys(document.paths['/v1/responses/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(document.paths['/v1/responses/{id}/input_items']?.get?.tags).toEqual(['responses']);
  });

  it('round-trips a function tool: call, then function_call_output, then the answer', async () => {
    const first = await client.responses.create({
      model: 'auto',
      input: 'Weather in Paris?',
      tools: [weatherTool],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(call.call_id).toBeTruthy();
    expect(primary.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
    });

    const second = await client.responses.create({
      model: 'auto',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        call,
        { type: 'function_call_output', call_id: call.call_id, output: '{"celsius":21}' },
      ],
    });
    expect(second.output_text).toBe(answerAbout('Weather in Paris?'));
    expect(primary.requests[1]?.body).toMatchObject({
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_calls: [{ id: call.call_id, function: { name: 'get_weather', arguments: call.arguments } }],
        },
        { role: 'tool', tool_call_id: call.call_id, content: '{"celsius":21}' },
      ],
    });

    // The usual SDK loop: only the function output, continuing the response that asked for it.
    const third = await client.responses.create({
      model: 'auto',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"celsius":22}' }],
    });
    expect(third.output_text).toBe(answerAbout('Weather in Paris?'));
    expect(primary.requests[2]?.body).toMatchObject({
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', tool_calls: [{ id: call.call_id }] },
        { role: 'tool', tool_call_id: call.call_id, content: '{"celsius":22}' },
      ],
    });
  });

  it('streams a function call as argument deltas, then .done with the whole arguments', async () => {
    const stream = await client.responses.create({
      model: 'auto',
      input: 'Weather in Oslo?',
      tools: [weatherTool],
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 3)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
    ]);
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.slice(-3)).toEqual([
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.flatMap((event) =>
      event.type === 'response.function_call_arguments.delta' ? [event.delta] : [],
    );
    const done = events.find((event) => event.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject({ name: 'get_weather', arguments: deltas.join('') });
  });

  it('continues from previous_response_id with the stored input and output, and lists its input items', async () => {
    const first = await client.responses.create({ model: 'auto', input: 'Remember the colour blue' });
    const second = await client.responses.create({
      model: 'auto',
      input: 'Which colour?',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(primary.requests[1]?.body).toMatchObject({
      messages: [
        { role: 'user', content: 'Remember the colour blue' },
        { role: 'assistant', content: answerAbout('Remember the colour blue') },
        { role: 'user', content: 'Which colour?' },
      ],
    });
    const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
    expect(items.data.map((item) => item.type)).toEqual(['message', 'message', 'message']);
    expect(items.data.map((item) => (item.type === 'message' ? item.role : undefined))).toEqual([
      'user',
      'assistant',
      'user',
    ]);
    const page = await client.responses.inputItems.list(second.id, { limit: 1 });
    expect(page.data).toHaveLength(1);
    expect(page.has_more).toBe(true);
    // Default order is newest first, as OpenAI lists them.
    expect(page.data[0]).toMatchObject({
      role: 'user',
      content: [{ type: 'input_text', text: 'Which colour?' }],
    });
  });

  it('retrieves and deletes a stored response; after delete it is 404', async () => {
    const created = await client.responses.create({ model: 'auto', input: 'Keep me' });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'completed', model: created.model });
    expect(retrieved.output_text).toBe(answerAbout('Keep me'));
    await client.responses.delete(created.id);
    const error = await client.responses.retrieve(created.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(404);
  });

  it('keeps nothing with store: false', async () => {
    const created = await client.responses.create({ model: 'auto', input: 'Forget me', store: false });
    expect((created as unknown as { store: boolean }).store).toBe(false);
    const error = await client.responses.retrieve(created.id).catch((caught: unknown) => caught);
    expect((error as APIError).status).toBe(404);
    const rows = await gateway.databases.userdata.db.execute<{ count: number }>(
      sql`select count(*)::int as count from stored_responses where id = ${created.id}`,
    );
    expect(rows.rows[0]?.count).toBe(0);
  });

  it("answers another user's response id with 404 in the OpenAI envelope, for reads, deletes and continuations", async () => {
    const created = await client.responses.create({ model: 'auto', input: 'Mine only' });
    const other = new OpenAI({
      apiKey: (await gateway.createUser()).key,
      baseURL: `${address}/v1`,
      maxRetries: 0,
    });
    for (const attempt of [
      () => other.responses.retrieve(created.id),
      () => other.responses.delete(created.id),
      () => other.responses.inputItems.list(created.id),
      () => other.responses.create({ model: 'auto', input: 'Steal', previous_response_id: created.id }),
    ]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(404);
      expect((error as APIError).code).toBe('not_found');
    }
    expect((await client.responses.retrieve(created.id)).id).toBe(created.id);
  });

  it('refuses built-in tools and unsupported features with 400 unsupported_parameter, counted as capability gaps', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tools: [weatherTool, { type: 'web_search' }] }, 'tools[1]'],
      [{ tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, 'tools[0]'],
      [{ background: true }, 'background'],
      [{ reasoning: { effort: 'high' } }, 'reasoning'],
      [{ include: ['file_search_call.results'] }, 'include'],
      [{ conversation: 'conv_1' }, 'conversation'],
    ];
    for (const [fields, param] of cases) {
      const error = await client.responses
        .create({
          model: 'auto',
          input: 'Use a tool',
          ...fields,
        } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .catch((caught: unknown) => caught);
      expect(error, param).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(400);
      expect((error as APIError).code).toBe('unsupported_parameter');
      expect((error as APIError).param).toBe(param);
      expect((error as APIError).message).toContain(param);
    }
    expect(primary.requests).toHaveLength(0);
    await expect
      .poll(async () => {
        const rows = await gateway.databases.platform.db.execute<{ capability: string }>(
          sql`select capability from capability_gaps where capability like 'responses:%' order by capability`,
        );
        return rows.rows.map((row) => row.capability);
      })
      .toEqual([
        'responses:background',
        'responses:conversation',
        'responses:include',
        'responses:reasoning',
        'responses:tool:file_search',
        'responses:tool:web_search',
      ]);
  });

  it('takes null settings as absent (never coerced to 0) and a one-item input array as it is', async () => {
    const created = await client.responses.create({
      model: 'auto',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Nulls' }] }],
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      tools: null,
    } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(created.output_text).toBe(answerAbout('Nulls'));
    const sent = primary.requests[0]?.body as Record<string, unknown>;
    expect(sent).not.toHaveProperty('temperature');
    // No output bound of the caller's: the plan's per-request cap (Free: 1024) bounds it, never 0.
    expect(sent.max_tokens).toBe(1024);
    expect(created.temperature).toBeNull();
  });

  it('names a malformed input item in a 400', async () => {
    const error = await client.responses
      .create({
        model: 'auto',
        input: [
          { role: 'user', content: 'ok' },
          { type: 'item_reference', id: 'x' },
        ],
      })
      .catch((caught: unknown) => caught);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).param).toBe('input[1]');
  });

  it('falls back invisibly on 429, 5xx and timeouts', async () => {
    for (const fault of [
      { type: 'rate_limit_persistent' as const, times: 2 },
      { type: 'server_error' as const, times: 2 },
      { type: 'no_response' as const, times: 2 },
    ]) {
      await withFreshBreakers(async (isolatedClient, replica) => {
        primary.setFaults([fault]);
        const { data, response } = await isolatedClient.responses
          .create({ model: 'auto', input: `Fallback ${fault.type}` })
          .withResponse();
        expect(data.output_text).toBe(answerAbout(`Fallback ${fault.type}`));
        expect(response.headers.get('x-gateway-provider')).toBe('groq');
        expect(data.model).toBe('llama-3.3-70b-versatile');
        // Failed attempts and the answer are usage events of this API.
        const requestId = response.headers.get('x-request-id');
        const events = (await replica.usageEvents()).filter((event) => event.requestId === requestId);
        expect(new Set(events.map((event) => event.status))).toEqual(new Set(['error', 'success']));
        expect(new Set(events.map((event) => event.endpoint))).toEqual(new Set(['responses']));
      });
    }
  });

  it('continues a stream cut mid-answer on the next provider, invisibly', async () => {
    await withFreshBreakers(async (isolatedClient) => {
      primary.setFaults([{ type: 'cut_after_tokens', tokens: 4, times: 2 }]);
      const stream = await isolatedClient.responses.create({ model: 'auto', input: 'Cut me', stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const text = events.flatMap((event) =>
        event.type === 'response.output_text.delta' ? [event.delta] : [],
      );
      expect(text.join('')).toBe(answerAbout('Cut me'));
      expect(events.filter((event) => event.type === 'response.output_item.added')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('response.completed');
      expect(secondary.requests).toHaveLength(1);
    });
  });

  it('reports a stream that cannot be completed as response.failed and error events', async () => {
    await withFreshBreakers(async (isolatedClient) => {
      primary.setFaults([{ type: 'cut_after_tokens', tokens: 3 }]);
      secondary.setFaults([{ type: 'server_error' }]);
      const stream = await isolatedClient.responses.create({ model: 'auto', input: 'Doomed', stream: true });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      expect(events.slice(-2).map((event) => event.type)).toEqual(['response.failed', 'error']);
      const failed = events.at(-2) as OpenAI.Responses.ResponseFailedEvent;
      expect(failed.response.status).toBe('failed');
      expect(failed.response.error?.message).toBeTruthy();
    });
  });
});
