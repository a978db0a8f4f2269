import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAISimulator } from '../../testing/openai-simulator.js';
import { simulatedEmbedding } from '../../testing/simulated-embedding.js';
import type { Simulator } from '../../testing/simulator-server.js';
import { createOpenAIEmbeddingProvider } from '../openai/index.js';
import { createOpenAICompatibleEmbeddingProvider } from './index.js';

describe('OpenAI embeddings adapter on the wire (openai SDK)', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startOpenAISimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  const provider = () =>
    createOpenAIEmbeddingProvider({ apiKey: 'sk-embed-key', baseUrl: `${simulator.url}/v1` });
  const call = (signal = AbortSignal.timeout(10_000)) => ({ model: 'text-embedding-3-small', signal });

  it('embeds a batch in input order, with the usage OpenAI reports and the vectors it sent', async () => {
    const result = await provider().embed({ input: ['first text', 'second text here'] }, call());
    expect(result.embeddings).toEqual([
      simulatedEmbedding('text-embedding-3-small', 'first text'),
      simulatedEmbedding('text-embedding-3-small', 'second text here'),
    ]);
    expect(result.embeddings[0]).toHaveLength(1536);
    expect(result.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    expect(result.model).toBe('text-embedding-3-small');
    expect(simulator.requests[0]?.path).toBe('/v1/embeddings');
    expect(simulator.requests[0]?.headers.authorization).toBe('Bearer sk-embed-key');
  });

  it('forwards dimensions, user and extra fields, and sends token arrays as they are', async () => {
    const result = await provider().embed(
      { input: [[1, 2, 3], [4]], dimensions: 64, user: 'user-7', extra: { truncate_prompt_tokens: 512 } },
      call(),
    );
    expect(result.embeddings.map((vector) => vector.length)).toEqual([64, 64]);
    expect(result.usage.prompt_tokens).toBe(4);
    expect(simulator.requests[0]?.body).toMatchObject({
      input: [[1, 2, 3], [4]],
      dimensions: 64,
      user: 'user-7',
      truncate_prompt_tokens: 512,
    });
  });

  it('reports the rate-limit headers of an answer, for proactive rate limiting', async () => {
    simulator.setFaults([{ type: 'rate_limit_headers_zero', resetSeconds: 30 }]);
    const snapshots: { remainingRequests?: number }[] = [];
    await provider().embed(
      { input: ['x'] },
      { ...call(), onRateLimit: (snapshot) => snapshots.push(snapshot) },
    );
    expect(snapshots).toEqual([expect.objectContaining({ remainingRequests: 0 })]);
  });

  it('serves any OpenAI-compatible endpoint under its own name', async () => {
    const compatible = createOpenAICompatibleEmbeddingProvider({
      name: 'local-vllm',
      apiKey: 'k-compatible',
      baseUrl: `${simulator.url}/v1`,
    });
    expect(compatible).toMatchObject({
      id: 'openai-compatible',
      name: 'local-vllm',
      supportsTokenInput: true,
    });
    const result = await compatible.embed(
      { input: ['hi'] },
      { model: 'nomic-embed-text', signal: AbortSignal.timeout(10_000) },
    );
    expect(result.embeddings[0]).toEqual(simulatedEmbedding('nomic-embed-text', 'hi'));
  });
});
