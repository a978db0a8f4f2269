import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCohereSimulator } from '../../testing/cohere-simulator.js';
import { simulatedEmbedding } from '../../testing/simulated-embedding.js';
import type { Simulator } from '../../testing/simulator-server.js';
import { createCohereEmbeddingProvider } from './index.js';

describe('Cohere embeddings adapter on the wire (v2 /embed)', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startCohereSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  const provider = () => createCohereEmbeddingProvider({ apiKey: 'co-embed-key', baseUrl: simulator.url });
  const call = { model: 'embed-v4.0', signal: AbortSignal.timeout(10_000) };

  it('posts texts, input type, float vectors and output_dimension; usage from billed units', async () => {
    const result = await provider().embed({ input: ['alpha beta', 'gamma'], dimensions: 256 }, call);
    expect(result.embeddings).toEqual([
      simulatedEmbedding('embed-v4.0', 'alpha beta', 256),
      simulatedEmbedding('embed-v4.0', 'gamma', 256),
    ]);
    expect(result.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(simulator.requests[0]?.path).toBe('/v2/embed');
    expect(simulator.requests[0]?.headers.authorization).toBe('Bearer co-embed-key');
    expect(simulator.requests[0]?.body).toEqual({
      model: 'embed-v4.0',
      texts: ['alpha beta', 'gamma'],
      input_type: 'search_document',
      embedding_types: ['float'],
      truncate: 'NONE',
      output_dimension: 256,
    });
  });

  it("takes the caller's input_type when given", async () => {
    await provider().embed({ input: ['a question?'], extra: { input_type: 'search_query' } }, call);
    expect(simulator.requests[0]?.body).toMatchObject({ input_type: 'search_query' });
  });

  it('splits more than 96 texts into calls and keeps input order', async () => {
    const texts = Array.from({ length: 100 }, (_, index) => `t${index}`);
    const result = await provider().embed({ input: texts }, call);
    expect(simulator.requests).toHaveLength(2);
    expect(result.embeddings[99]).toEqual(simulatedEmbedding('embed-v4.0', 't99'));
    expect(result.usage.prompt_tokens).toBe(100);
  });
});
