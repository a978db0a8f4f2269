import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptEvent, FallbackEvent, UsageEvent } from '../client-types.js';
import { AllProvidersFailedError, LlmError } from '../errors.js';
import { createOpenAICompatibleEmbeddingProvider } from '../providers/openai-compatible/index.js';
import { createOpenAIEmbeddingProvider } from '../providers/openai/index.js';
import { startOpenAISimulator } from '../testing/openai-simulator.js';
import { simulatedEmbedding } from '../testing/simulated-embedding.js';
import type { Simulator } from '../testing/simulator-server.js';
import { createEmbeddingClient } from './embedding-client.js';

describe('embedding client: fallback within one model', () => {
  let primary: Simulator;
  let secondary: Simulator;
  const attempts: AttemptEvent[] = [];
  const fallbacks: FallbackEvent[] = [];
  const usages: UsageEvent[] = [];

  beforeAll(async () => {
    [primary, secondary] = await Promise.all([startOpenAISimulator(), startOpenAISimulator()]);
  });
  afterAll(async () => {
    await Promise.all([primary.close(), secondary.close()]);
  });
  beforeEach(() => {
    primary.reset();
    secondary.reset();
    attempts.length = 0;
    fallbacks.length = 0;
    usages.length = 0;
  });

  /** A fresh client each test: its in-memory breakers start closed. */
  function client() {
    return createEmbeddingClient({
      providers: [
        createOpenAIEmbeddingProvider({ apiKey: 'sk-primary', baseUrl: `${primary.url}/v1` }),
        createOpenAICompatibleEmbeddingProvider({ apiKey: 'k-secondary', baseUrl: `${secondary.url}/v1` }),
      ],
      deployments: [
        { name: 'openai', id: 'openai', models: ['text-embedding-3-small', 'text-embedding-3-large'] },
        { name: 'openai-compatible', id: 'openai-compatible', models: ['text-embedding-3-small'] },
      ],
      deadlineMs: 5_000,
      timeouts: { totalMs: 1_000 },
      hooks: {
        onAttempt: (event) => attempts.push(event),
        onFallback: (event) => fallbacks.push(event),
        onUsage: (event) => usages.push(event),
      },
    });
  }

  it('answers from the first deployment and reports usage under the embeddings endpoint', async () => {
    const embeddings = client();
    const answer = await embeddings.embed(
      { input: ['one two three'] },
      { chain: embeddings.plan('text-embedding-3-small'), requestId: 'r1', userId: 'u1' },
    );
    expect(answer).toMatchObject({
      provider: 'openai',
      model: 'text-embedding-3-small',
      usedFallback: false,
    });
    expect(usages).toEqual([
      expect.objectContaining({
        provider: 'openai',
        model: 'text-embedding-3-small',
        endpoint: 'embeddings',
        requestId: 'r1',
        usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 },
      }),
    ]);
    expect(attempts.map((attempt) => attempt.endpoint)).toEqual(['embeddings']);
  });

  it('answers a 429 of the first deployment with the second deployment of the same model', async () => {
    primary.setFaults([{ type: 'rate_limit_persistent' }]);
    const embeddings = client();
    const answer = await embeddings.embed(
      { input: ['same vector'] },
      { chain: embeddings.plan('text-embedding-3-small') },
    );
    expect(answer.provider).toBe('openai-compatible');
    expect(answer.usedFallback).toBe(true);
    expect(answer.result.embeddings[0]).toEqual(simulatedEmbedding('text-embedding-3-small', 'same vector'));
    expect(secondary.requests[0]?.body).toMatchObject({ model: 'text-embedding-3-small' });
    expect(fallbacks[0]).toMatchObject({
      from: { provider: 'openai' },
      to: { provider: 'openai-compatible' },
    });
  });

  it('moves on from a hung deployment when its share of the deadline is spent', async () => {
    primary.setFaults([{ type: 'no_response' }]);
    const embeddings = client();
    const answer = await embeddings.embed(
      { input: ['x'] },
      { chain: embeddings.plan('text-embedding-3-small') },
    );
    expect(answer.provider).toBe('openai-compatible');
    expect(attempts[0]).toMatchObject({ outcome: 'error', errorKind: 'timeout' });
  });

  it('never falls over to another model: a model with one deployment returns its failure', async () => {
    primary.setFaults([{ type: 'server_error' }]);
    const embeddings = client();
    const chain = embeddings.plan('text-embedding-3-large');
    expect(chain).toEqual([{ provider: 'openai', model: 'text-embedding-3-large' }]);
    const failure = await embeddings.embed({ input: ['x'] }, { chain }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AllProvidersFailedError);
    expect(secondary.requests).toHaveLength(0);
    expect(
      primary.requests.every(
        (request) => (request.body as { model: string }).model === 'text-embedding-3-large',
      ),
    ).toBe(true);
  });

  it('returns a caller mistake at once, without trying the other deployment', async () => {
    primary.setFaults([{ type: 'bad_request' }]);
    const embeddings = client();
    const failure = await embeddings
      .embed({ input: ['x'] }, { chain: embeddings.plan('text-embedding-3-small') })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LlmError);
    expect(failure).toMatchObject({ kind: 'bad_request' });
    expect(secondary.requests).toHaveLength(0);
  });

  it('returns an input too long for the model at once, naming input: the other deployment runs the same model', async () => {
    primary.setFaults([{ type: 'context_length' }]);
    const embeddings = client();
    const failure = await embeddings
      .embed({ input: ['x'] }, { chain: embeddings.plan('text-embedding-3-small') })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'context_length', param: 'input' });
    expect(secondary.requests).toHaveLength(0);
  });

  it('lists served models and knows which chains take token arrays', () => {
    const embeddings = client();
    expect(embeddings.models().map((entry) => `${entry.provider}/${entry.model}`)).toEqual([
      'openai/text-embedding-3-small',
      'openai/text-embedding-3-large',
      'openai-compatible/text-embedding-3-small',
    ]);
    expect(embeddings.acceptsTokens(embeddings.plan('text-embedding-3-small'))).toBe(true);
  });
});
