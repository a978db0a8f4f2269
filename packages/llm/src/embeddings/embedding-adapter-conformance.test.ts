import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmError, type LlmErrorKind } from '../errors.js';
import { createCohereEmbeddingProvider } from '../providers/cohere/index.js';
import { createGeminiEmbeddingProvider } from '../providers/gemini/index.js';
import { createOpenAICompatibleEmbeddingProvider } from '../providers/openai-compatible/index.js';
import { startCohereSimulator } from '../testing/cohere-simulator.js';
import { startGeminiSimulator } from '../testing/gemini-simulator.js';
import { startOpenAISimulator } from '../testing/openai-simulator.js';
import { simulatedEmbedding } from '../testing/simulated-embedding.js';
import type { Fault, Simulator } from '../testing/simulator-server.js';
import type { EmbeddingProvider } from './embedding-provider.js';

/**
 * Every embeddings adapter, through its SDK or wire format, against its provider's simulator: the same vectors and
 * the same classification of each failure are expected of each; only the provider's statuses differ.
 */
interface EmbeddingAdapterCase {
  name: string;
  model: string;
  start: () => Promise<Simulator>;
  create: (url: string) => EmbeddingProvider;
  /** Status a bad key surfaces with (Gemini answers it with 400 API_KEY_INVALID). */
  authStatus: number;
}

const cases: EmbeddingAdapterCase[] = [
  {
    name: 'openai-compatible',
    model: 'text-embedding-3-small',
    start: startOpenAISimulator,
    create: (url) =>
      createOpenAICompatibleEmbeddingProvider({ apiKey: 'sk-conformance', baseUrl: `${url}/v1` }),
    authStatus: 401,
  },
  {
    name: 'gemini',
    model: 'gemini-embedding-001',
    start: startGeminiSimulator,
    create: (url) => createGeminiEmbeddingProvider({ apiKey: 'gemini-conformance', baseUrl: url }),
    authStatus: 400,
  },
  {
    name: 'cohere',
    model: 'embed-v4.0',
    start: startCohereSimulator,
    create: (url) => createCohereEmbeddingProvider({ apiKey: 'co-conformance', baseUrl: url }),
    authStatus: 401,
  },
];

describe.each(cases)('$name embeddings adapter conformance', (adapterCase) => {
  let simulator: Simulator;
  let provider: EmbeddingProvider;
  beforeAll(async () => {
    simulator = await adapterCase.start();
    provider = adapterCase.create(simulator.url);
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.reset());

  const embed = (input: string[], signal = AbortSignal.timeout(10_000), dimensions?: number) =>
    provider.embed(
      { input, ...(dimensions === undefined ? {} : { dimensions }) },
      { model: adapterCase.model, signal },
    );

  async function failureOf(fault: Fault): Promise<LlmError> {
    simulator.setFaults([fault]);
    const failure = await embed(['x']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LlmError);
    return failure as LlmError;
  }

  it('answers one and several texts with the provider vectors, in input order, shortened when asked', async () => {
    const [one, several] = await Promise.all([
      embed(['only text']),
      embed(['a b', 'c', 'd e f'], AbortSignal.timeout(10_000), 48),
    ]);
    expect(one.embeddings).toEqual([simulatedEmbedding(adapterCase.model, 'only text')]);
    expect(several.embeddings).toEqual(
      ['a b', 'c', 'd e f'].map((text) => simulatedEmbedding(adapterCase.model, text, 48)),
    );
    expect(several.usage.prompt_tokens).toBeGreaterThan(0);
    expect(several.usage.total_tokens).toBe(several.usage.prompt_tokens);
  });

  it.each<[string, Fault, LlmErrorKind, number | 'auth' | undefined]>([
    ['a 429', { type: 'rate_limit', retryAfterSeconds: 4 }, 'rate_limit', 429],
    ['a 500', { type: 'server_error' }, 'server', 500],
    ['a 503', { type: 'overloaded' }, 'overloaded', 503],
    ['a bad key', { type: 'auth' }, 'auth', 'auth'],
    ['an unknown model', { type: 'not_found' }, 'not_found', 404],
    ['an invalid request', { type: 'bad_request' }, 'bad_request', 400],
    ['a reset before headers', { type: 'reset_before_headers' }, 'network', undefined],
    ['a body cut in half', { type: 'cut_after_tokens', tokens: 0 }, 'network', undefined],
  ])('classifies %s', async (_label, fault, kind, status) => {
    const failure = await failureOf(fault);
    expect(failure.kind).toBe(kind);
    expect(failure.status).toBe(status === 'auth' ? adapterCase.authStatus : status);
    if (kind === 'rate_limit') expect(failure.retryAfterMs).toBe(4_000);
    // Safe to show: never the provider's raw body.
    expect(failure.message).not.toMatch(/Incorrect API key|Invalid value/);
  });

  it('classifies a body that is not JSON as a provider fault', async () => {
    const failure = await failureOf({ type: 'malformed_chunk', afterTokens: 0 });
    expect(['server', 'network']).toContain(failure.kind);
  });

  it('ends a hung call when its signal aborts', async () => {
    simulator.setFaults([{ type: 'no_response' }]);
    const controller = new AbortController();
    const pending = embed(['x'], controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ kind: 'timeout' });
  });
});
