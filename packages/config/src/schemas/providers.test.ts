import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../load.js';
import { embeddingModelCatalog, providerModelCatalog } from './provider-models.js';
import { providersConfigSchema } from './providers.js';

const parse = (env: Record<string, string>) =>
  parseConfig({ providers: providersConfigSchema }, env).providers;

function problemsOf(env: Record<string, string>): string[] {
  try {
    parse(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('providers config: timeouts, refusals, hedging', () => {
  it('defaults to a 10 s first token, refusals answered by the next provider, and no hedging', () => {
    const config = parse({});
    expect(config.timeouts.firstTokenMs).toBe(10_000);
    expect(config.fallbackOnRefusal).toBe(true);
    expect(config.hedgeAfterMs).toBeUndefined();
  });

  it('reads LLM_FALLBACK_ON_REFUSAL as true/false/1/0 in any case and refuses anything else', () => {
    expect(parse({ LLM_FALLBACK_ON_REFUSAL: 'false' }).fallbackOnRefusal).toBe(false);
    expect(parse({ LLM_FALLBACK_ON_REFUSAL: '0' }).fallbackOnRefusal).toBe(false);
    expect(parse({ LLM_FALLBACK_ON_REFUSAL: 'TRUE' }).fallbackOnRefusal).toBe(true);
    expect(parse({ LLM_FALLBACK_ON_REFUSAL: '1' }).fallbackOnRefusal).toBe(true);
    expect(parse({ LLM_FALLBACK_ON_REFUSAL: '' }).fallbackOnRefusal).toBe(true);
    expect(problemsOf({ LLM_FALLBACK_ON_REFUSAL: 'no' })).toEqual([
      'LLM_FALLBACK_ON_REFUSAL: must be true, false, 1 or 0',
    ]);
  });

  it('reads LLM_HEDGE_AFTER_MS as a positive number of ms or auto', () => {
    expect(parse({ LLM_HEDGE_AFTER_MS: '250' }).hedgeAfterMs).toBe(250);
    expect(parse({ LLM_HEDGE_AFTER_MS: 'auto' }).hedgeAfterMs).toBe('auto');
    for (const value of ['0', '-5', '1.5', 'soon', 'AUTO ms'])
      expect(problemsOf({ LLM_HEDGE_AFTER_MS: value })).toEqual([
        'LLM_HEDGE_AFTER_MS: must be a positive number of milliseconds or auto',
      ]);
  });
});

describe('providers config: the models each server key serves (<P>_MODELS)', () => {
  it('defaults to the known catalog, the chain model first; an OpenAI-compatible server is not restricted', () => {
    const config = parse({});
    expect(config.providers.openai.models).toEqual(providerModelCatalog.openai);
    expect(config.providers.groq.models).toEqual(providerModelCatalog.groq);
    expect(config.providers.local.models).toEqual(['local-echo-1']);
    expect(config.providers['openai-compatible'].models).toBeUndefined();
  });

  it('adds a configured <P>_MODEL outside the catalog to the default list', () => {
    const config = parse({ OPENAI_MODEL: 'gpt-5' });
    expect(config.providers.openai.models).toEqual(['gpt-5', ...providerModelCatalog.openai!]);
  });

  it('takes an explicit comma list as the whole list, for OpenAI-compatible servers too', () => {
    const config = parse({
      OPENAI_MODELS: 'gpt-4o-mini, ft:gpt-4o-mini:acme::1',
      OPENAI_COMPATIBLE_MODELS: 'default,llama3.1:8b',
    });
    expect(config.providers.openai.models).toEqual(['gpt-4o-mini', 'ft:gpt-4o-mini:acme::1']);
    expect(config.providers['openai-compatible'].models).toEqual(['default', 'llama3.1:8b']);
  });

  it('refuses a list that leaves out the chain model, or names nothing', () => {
    expect(problemsOf({ OPENAI_MODELS: 'gpt-4.1' })).toEqual([
      "OPENAI_MODELS: must include the chain's model (OPENAI_MODEL, default gpt-4o-mini)",
    ]);
    expect(problemsOf({ GROQ_MODELS: ' , ' })).toEqual(['GROQ_MODELS: must name at least one model']);
    expect(parse({ OPENAI_MODEL: 'gpt-4.1', OPENAI_MODELS: 'gpt-4.1' }).providers.openai.models).toEqual([
      'gpt-4.1',
    ]);
  });

  it('lists every problem of the section in one run', () => {
    expect(
      problemsOf({
        LLM_FALLBACK_ORDER: 'openai,mistral',
        LLM_FALLBACK_ON_REFUSAL: 'maybe',
        LLM_HEDGE_AFTER_MS: 'later',
        ANTHROPIC_MODELS: 'claude-opus-4-1',
      }).map((problem) => problem.split(':')[0]),
    ).toEqual(
      expect.arrayContaining([
        'LLM_FALLBACK_ORDER.1',
        'LLM_FALLBACK_ON_REFUSAL',
        'LLM_HEDGE_AFTER_MS',
        'ANTHROPIC_MODELS',
      ]),
    );
  });
});

describe('providers config: the embedding models each server key serves (<P>_EMBEDDING_MODELS)', () => {
  it('defaults to the known catalog; OpenAI-compatible and providers without embeddings serve none', () => {
    const config = parse({});
    expect(config.providers.openai.embeddingModels).toEqual(embeddingModelCatalog.openai);
    expect(config.providers.openai.embeddingModels).toContain('text-embedding-3-small');
    expect(config.providers.gemini.embeddingModels).toEqual(['text-embedding-004', 'gemini-embedding-001']);
    expect(config.providers.cohere.embeddingModels).toContain('embed-v4.0');
    expect(config.providers['openai-compatible'].embeddingModels).toEqual([]);
    expect(config.providers.anthropic.embeddingModels).toEqual([]);
    expect(config.providers.groq.embeddingModels).toEqual([]);
  });

  it('takes a comma list as the whole list, and none as no embeddings', () => {
    const config = parse({
      OPENAI_COMPATIBLE_EMBEDDING_MODELS: 'text-embedding-3-small, nomic-embed-text',
      COHERE_EMBEDDING_MODELS: 'none',
    });
    expect(config.providers['openai-compatible'].embeddingModels).toEqual([
      'text-embedding-3-small',
      'nomic-embed-text',
    ]);
    expect(config.providers.cohere.embeddingModels).toEqual([]);
  });

  it('refuses a list that names nothing', () => {
    expect(problemsOf({ GEMINI_EMBEDDING_MODELS: ' , ' })).toEqual([
      'GEMINI_EMBEDDING_MODELS: must name at least one model, or none',
    ]);
  });
});
