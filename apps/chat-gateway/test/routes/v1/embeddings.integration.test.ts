import {
  simulatedEmbedding,
  startGeminiSimulator,
  startOpenAISimulator,
  type Simulator,
} from '@switchyard/llm/testing';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../../helper.js';

/** Decodes OpenAI's base64 embedding (little-endian float32) to numbers. */
function decodeBase64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
}

describe('POST /v1/embeddings through the official openai SDK', () => {
  let openai: Simulator;
  let compatible: Simulator;
  let gemini: Simulator;
  let gateway: TestGateway;
  let client: OpenAI;
  let userKey: string;
  const env = () => ({
    OPENAI_API_KEY: 'sk-test-openai',
    OPENAI_BASE_URL: `${openai.url}/v1`,
    // A second deployment of OpenAI's model (e.g. a proxy or Azure-style endpoint) that declares it.
    OPENAI_COMPATIBLE_API_KEY: 'sk-test-compatible',
    OPENAI_COMPATIBLE_BASE_URL: `${compatible.url}/v1`,
    OPENAI_COMPATIBLE_EMBEDDING_MODELS: 'text-embedding-3-small',
    GEMINI_API_KEY: 'gemini-test-key',
    GEMINI_BASE_URL: gemini.url,
    LLM_FALLBACK_ORDER: 'openai,gemini',
    LLM_TOTAL_TIMEOUT_MS: '1500',
    METRICS_FLUSH_INTERVAL_MS: '50',
    // Above the 1,200,000-character input limit, so that limit (not the body size) is what a long input meets.
    MAX_BODY_BYTES: '4194304',
  });

  /** A replica on the same databases with its own Redis prefix, so breakers a failure test opens stay there. */
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
    [openai, compatible, gemini] = await Promise.all([
      startOpenAISimulator(),
      startOpenAISimulator(),
      startGeminiSimulator(),
    ]);
    gateway = await createTestGateway(env());
    const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    userKey = (await gateway.createUser()).key;
    client = new OpenAI({ apiKey: userKey, baseURL: `${address}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all([openai.close(), compatible.close(), gemini.close()]);
  });
  beforeEach(() => {
    openai.reset();
    compatible.reset();
    gemini.reset();
  });

  it('embeds one text (the SDK asks for base64 and decodes it) with the x-gateway headers', async () => {
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: 'hello world' })
      .withResponse();
    expect(data.object).toBe('list');
    expect(data.model).toBe('text-embedding-3-small');
    expect(data.data).toHaveLength(1);
    expect(data.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(data.data[0]?.embedding).toEqual(simulatedEmbedding('text-embedding-3-small', 'hello world'));
    expect(data.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-model')).toBe('text-embedding-3-small');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('embeds a batch as floats, in input order, and records a priced usage row for the embeddings endpoint', async () => {
    const inputs = ['first document', 'second one', 'third and last document'];
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: inputs, encoding_format: 'float' })
      .withResponse();
    expect(data.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(data.data.map((item) => item.embedding)).toEqual(
      inputs.map((text) => simulatedEmbedding('text-embedding-3-small', text)),
    );
    expect(openai.requests[0]?.body).toMatchObject({ input: inputs, model: 'text-embedding-3-small' });

    // Its usage event is in the stream before the answer completes, priced from the seeded price table.
    const requestId = response.headers.get('x-request-id')!;
    const events = (await gateway.usageEvents()).filter((event) => event.requestId === requestId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      endpoint: 'embeddings',
      provider: 'openai',
      model: 'text-embedding-3-small',
      promptTokens: 8,
      status: 'success',
      final: true,
      priceEstimated: false,
    });
    expect(events[0]?.costUsd).toBeGreaterThan(0);
  });

  it('answers base64 that decodes to the same vector as the float answer', async () => {
    const [asFloat, asBase64] = await Promise.all([
      client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['same text'],
        encoding_format: 'float',
      }),
      client.embeddings.create({
        model: 'text-embedding-3-small',
        input: ['same text'],
        encoding_format: 'base64',
      }),
    ]);
    const encoded = asBase64.data[0]?.embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    expect(decodeBase64(encoded)).toEqual(asFloat.data[0]?.embedding);
  });

  it('forwards dimensions, user and fields it does not know to the provider', async () => {
    const { data } = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'short vector',
      dimensions: 256,
      user: 'end-user-42',
      vendor_option: 'kept',
    } as OpenAI.EmbeddingCreateParams);
    expect(data[0]?.embedding).toHaveLength(256);
    expect(openai.requests[0]?.body).toMatchObject({
      dimensions: 256,
      user: 'end-user-42',
      vendor_option: 'kept',
    });
  });

  it('counts embeddings against the monthly plan like chat: 429 quota_exceeded once it is used up', async () => {
    const user = await gateway.createUser();
    const { platform } = gateway.databases;
    const plan = await platform.pool.query<{ id: string }>(
      `insert into subscription_plans (name, monthly_request_limit) values ($1, 1) returning id`,
      [`Embed-one ${user.id}`],
    );
    await platform.pool.query(`insert into user_subscriptions (user_id, plan_id) values ($1, $2)`, [
      user.id,
      plan.rows[0]!.id,
    ]);
    const limited = new OpenAI({ apiKey: user.key, baseURL: client.baseURL, maxRetries: 0 });
    await limited.embeddings.create({ model: 'text-embedding-3-small', input: 'first' });
    const refused = await limited.embeddings
      .create({ model: 'text-embedding-3-small', input: 'second' })
      .catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(429);
    expect((refused as APIError).code).toBe('quota_exceeded');
    expect(openai.requests).toHaveLength(1);
  });

  it('documents the route in the OpenAPI document', async () => {
    const document = (await gateway.app.inject('/openapi.json')).json<{
      paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }>;
    }>();
    const operation = document.paths['/v1/embeddings']?.post;
    expect(operation?.requestBody).toBeDefined();
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '404', '502']),
    );
  });

  it('sends token-id arrays on to an OpenAI-wire provider', async () => {
    const answer = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: [
        [15339, 1917],
        [9906, 11, 1917],
      ],
      encoding_format: 'float',
    });
    expect(answer.data).toHaveLength(2);
    expect(answer.usage.prompt_tokens).toBe(5);
    expect(openai.requests[0]?.body).toMatchObject({
      input: [
        [15339, 1917],
        [9906, 11, 1917],
      ],
    });
  });

  it('embeds through Gemini for a Gemini model, a batch included', async () => {
    const { data, response } = await client.embeddings
      .create({ model: 'text-embedding-004', input: ['uno', 'dos'], encoding_format: 'float' })
      .withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('gemini');
    expect(data.data.map((item) => item.embedding)).toEqual([
      simulatedEmbedding('text-embedding-004', 'uno'),
      simulatedEmbedding('text-embedding-004', 'dos'),
    ]);
    expect(gemini.requests[0]?.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(openai.requests).toHaveLength(0);
  });

  it('answers a 429 of the first deployment with the second deployment of the same model', async () => {
    await withFreshBreakers(async (isolatedClient) => {
      openai.setFaults([{ type: 'rate_limit', retryAfterSeconds: 20 }]);
      const { data, response } = await isolatedClient.embeddings
        .create({ model: 'text-embedding-3-small', input: 'fall over please', encoding_format: 'float' })
        .withResponse();
      expect(response.headers.get('x-gateway-provider')).toBe('openai-compatible');
      expect(response.headers.get('x-gateway-model')).toBe('text-embedding-3-small');
      expect(Number(response.headers.get('x-gateway-attempts'))).toBeGreaterThanOrEqual(2);
      expect(data.model).toBe('text-embedding-3-small');
      expect(data.data[0]?.embedding).toEqual(
        simulatedEmbedding('text-embedding-3-small', 'fall over please'),
      );
      expect(openai.faultsServed('rate_limit')).toBeGreaterThan(0);
      expect(compatible.requests[0]?.body).toMatchObject({ model: 'text-embedding-3-small' });
    });
  });

  it('never falls over to another model: the failure comes back in the OpenAI envelope', async () => {
    await withFreshBreakers(async (isolatedClient) => {
      // text-embedding-3-large has one deployment; Gemini and the compatible server answer other models only.
      openai.setFaults([{ type: 'server_error' }]);
      const error = await isolatedClient.embeddings
        .create({ model: 'text-embedding-3-large', input: 'no substitute' })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(APIError);
      const apiError = error as APIError;
      expect(apiError.status).toBe(502);
      expect(apiError.code).toBe('all_providers_failed');
      expect(compatible.requests).toHaveLength(0);
      expect(gemini.requests).toHaveLength(0);
      expect(
        openai.requests.every(
          (request) => (request.body as { model: string }).model === 'text-embedding-3-large',
        ),
      ).toBe(true);
    });
  });

  it('lists embedding models beside chat models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'openai/gpt-4o-mini',
        'openai/text-embedding-3-small',
        'openai/text-embedding-3-large',
        'openai-compatible/text-embedding-3-small',
        'gemini/text-embedding-004',
      ]),
    );
  });

  it.each([
    [{ input: [] }, 'input'],
    [{ input: ['ok', 3] }, 'input[1]'],
    [{ input: ['ok', ''] }, 'input[1]'],
    [{ input: Array.from({ length: 2049 }, () => 'x') }, 'input'],
    [{ input: 'x'.repeat(1_200_001) }, 'input'],
    [{ input: { text: 'x' } }, 'input'],
    [{ input: 'x', encoding_format: 'hex' }, 'encoding_format'],
    [{ input: 'x', dimensions: 0 }, 'dimensions'],
    [{ input: [[1, 2, 3]], model: 'text-embedding-004' }, 'input'],
  ])('answers a bad input with a 400 naming the field (%#)', async (body, param) => {
    const error = await client.embeddings
      .create({ model: 'text-embedding-3-small', ...body } as OpenAI.EmbeddingCreateParams)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).param).toBe(param);
    expect(openai.requests).toHaveLength(0);
    expect(gemini.requests).toHaveLength(0);
  });

  it('answers an unknown embedding model with 404 model_not_found before any upstream call', async () => {
    const error = await client.embeddings
      .create({ model: 'text-embedding-9-huge', input: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(404);
    expect((error as APIError).code).toBe('model_not_found');
    expect((error as APIError).param).toBe('model');
    expect(openai.requests).toHaveLength(0);
  });
});
