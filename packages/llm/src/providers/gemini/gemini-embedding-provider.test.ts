import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGeminiSimulator } from '../../testing/gemini-simulator.js';
import { simulatedEmbedding } from '../../testing/simulated-embedding.js';
import type { Simulator } from '../../testing/simulator-server.js';
import { createGeminiEmbeddingProvider } from './index.js';

describe('Gemini embeddings adapter on the wire (@google/generative-ai)', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startGeminiSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  const provider = () =>
    createGeminiEmbeddingProvider({ apiKey: 'gemini-embed-key', baseUrl: simulator.url });
  const call = { model: 'text-embedding-004', signal: AbortSignal.timeout(10_000) };

  it('embeds one text with embedContent, its usage counted by our tokenizer', async () => {
    const result = await provider().embed({ input: ['hello world'] }, call);
    expect(result.embeddings).toEqual([simulatedEmbedding('text-embedding-004', 'hello world')]);
    expect(result.usage).toEqual({ prompt_tokens: 2, total_tokens: 2, estimated: true });
    expect(simulator.requests[0]?.path).toBe('/v1beta/models/text-embedding-004:embedContent');
  });

  it('embeds many texts with batchEmbedContents, 100 per call, in input order, with outputDimensionality', async () => {
    const texts = Array.from({ length: 150 }, (_, index) => `text number ${index}`);
    const result = await provider().embed({ input: texts, dimensions: 32 }, call);
    expect(result.embeddings).toHaveLength(150);
    expect(result.embeddings[149]).toEqual(simulatedEmbedding('text-embedding-004', 'text number 149', 32));
    const paths = simulator.requests.map((request) => request.path);
    expect(paths).toEqual([
      '/v1beta/models/text-embedding-004:batchEmbedContents',
      '/v1beta/models/text-embedding-004:batchEmbedContents',
    ]);
    const body = simulator.requests[0]?.body as {
      requests: { outputDimensionality?: number; model?: string }[];
    };
    expect(body.requests).toHaveLength(100);
    expect(body.requests[0]).toMatchObject({ outputDimensionality: 32, model: 'models/text-embedding-004' });
  });

  it('refuses token arrays before sending: Gemini embeds texts only', async () => {
    await expect(provider().embed({ input: [[1, 2]] }, call)).rejects.toMatchObject({
      kind: 'bad_request',
      param: 'input',
      beforeSend: true,
    });
    expect(simulator.requests).toHaveLength(0);
  });
});
