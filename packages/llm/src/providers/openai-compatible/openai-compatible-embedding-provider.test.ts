import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmError } from '../../errors.js';
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

  it('classifies a 429 with its Retry-After, a 5xx, and reports rate-limit headers', async () => {
    simulator.setFaults([
      { type: 'rate_limit', retryAfterSeconds: 3, times: 1 },
      { type: 'server_error', times: 1 },
    ]);
    const snapshots: unknown[] = [];
    const options = { ...call(), onRateLimit: (snapshot: unknown) => snapshots.push(snapshot) };
    const limited = await provider()
      .embed({ input: ['x'] }, options)
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(LlmError);
    expect(limited).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterMs: 3000 });
    const failed = await provider()
      .embed({ input: ['x'] }, options)
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ kind: 'server', status: 500 });
    expect(snapshots.length).toBeGreaterThan(0);
  });

  it('stops a hung upstream when its signal aborts', async () => {
    simulator.setFaults([{ type: 'no_response' }]);
    const controller = new AbortController();
    const pending = provider().embed({ input: ['x'] }, call(controller.signal));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'timeout' });
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
