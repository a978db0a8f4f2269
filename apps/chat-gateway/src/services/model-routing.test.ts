import { createGroqProvider, createOpenAIProvider } from '@switchyard/llm';
import { parseConfig, providersConfigSchema } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../errors.js';
import { planChain } from './model-routing.js';
import { createServedModels } from './served-models.js';

const openai = createOpenAIProvider({ apiKey: 'sk-server-0000' });
const groq = createGroqProvider({ apiKey: 'gsk-server-0000' });
const providers = [openai, groq];
const defaultChain = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'groq', model: 'llama-3.3-70b-versatile' },
];
const ownOpenAI = {
  provider: createOpenAIProvider({ apiKey: 'sk-user-0000', name: 'openai:own-1234abcd' }),
  model: 'gpt-4o',
};
const ownGroq = {
  provider: createGroqProvider({ apiKey: 'gsk-user-0000', name: 'groq:own-5678abcd' }),
  model: 'llama-3.1-8b-instant',
};

describe('planChain with own keys', () => {
  it('puts the user’s own keys before the server chain for auto', () => {
    expect(planChain('auto', providers, defaultChain, [], [ownOpenAI])).toEqual({
      chain: [{ provider: 'openai:own-1234abcd', model: 'gpt-4o' }, ...defaultChain],
    });
  });

  it('sends a pinned model to its provider’s own key first, then the server key, then the rest', () => {
    expect(planChain('openai/gpt-4.1', providers, defaultChain, [], [ownGroq, ownOpenAI]).chain).toEqual([
      { provider: 'openai:own-1234abcd', model: 'gpt-4.1' },
      { provider: 'openai', model: 'gpt-4.1' },
      { provider: 'groq:own-5678abcd', model: 'llama-3.1-8b-instant' },
      { provider: 'groq', model: 'llama-3.3-70b-versatile' },
    ]);
  });

  it('serves a provider only the user has a key for', () => {
    expect(planChain('llama-3.1-8b-instant', [openai], [defaultChain[0]!], [], [ownGroq]).chain).toEqual([
      { provider: 'groq:own-5678abcd', model: 'llama-3.1-8b-instant' },
      { provider: 'openai', model: 'gpt-4o-mini' },
    ]);
  });

  it('keeps the plain chain and preference order without own keys', () => {
    expect(planChain('auto', providers, defaultChain, ['groq']).chain).toEqual([
      defaultChain[1],
      defaultChain[0],
    ]);
    expect(planChain('gpt-4o', providers, defaultChain)).toEqual({
      chain: [{ provider: 'openai', model: 'gpt-4o' }, defaultChain[1]],
      pinnedModel: 'gpt-4o',
    });
  });
});

describe('planChain with the models each server key serves', () => {
  const served = (env: Record<string, string> = {}) =>
    createServedModels(parseConfig({ providers: providersConfigSchema }, env).providers);
  const plan = (model: string, env?: Record<string, string>, own: (typeof ownOpenAI)[] = []) =>
    planChain(model, providers, defaultChain, [], own, served(env));
  const refused = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses a pinned model its provider is not configured to serve, naming the model field', () => {
    for (const model of ['gpt-does-not-exist', 'openai/gpt-does-not-exist', 'gpt-4o-mini-preview']) {
      const error = refused(() => plan(model));
      expect(error).toBeInstanceOf(ModelNotFoundError);
      expect((error as { param?: string }).param).toBe('model');
    }
    expect(refused(() => plan('gpt-4.1', { OPENAI_MODELS: 'gpt-4o-mini' }))).toBeInstanceOf(
      ModelNotFoundError,
    );
  });

  it('serves catalog models, a configured list and dated snapshots of listed models', () => {
    expect(plan('gpt-4.1').chain[0]).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    expect(plan('openai/gpt-4o-2024-08-06').chain[0]).toEqual({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
    });
    expect(plan('openai/gpt-5', { OPENAI_MODELS: 'gpt-4o-mini,gpt-5' }).chain[0]).toEqual({
      provider: 'openai',
      model: 'gpt-5',
    });
  });

  it('places an id no family rule knows at the server key that lists it', () => {
    const env = { GROQ_MODELS: 'llama-3.3-70b-versatile,openai/gpt-oss-120b' };
    expect(plan('openai/gpt-oss-120b', env).chain).toEqual([
      { provider: 'groq', model: 'openai/gpt-oss-120b' },
      { provider: 'openai', model: 'gpt-4o-mini' },
    ]);
    const fineTune = plan('ft:gpt-4o-mini:acme::1', { OPENAI_MODELS: 'gpt-4o-mini,ft:gpt-4o-mini:acme::1' });
    expect(fineTune.chain[0]).toEqual({ provider: 'openai', model: 'ft:gpt-4o-mini:acme::1' });
  });

  it('sends a model the server key does not serve to the user’s own key only', () => {
    expect(plan('openai/gpt-5', {}, [ownOpenAI]).chain).toEqual([
      { provider: 'openai:own-1234abcd', model: 'gpt-5' },
      { provider: 'groq', model: 'llama-3.3-70b-versatile' },
    ]);
  });

  it('leaves auto unrestricted and not pinned', () => {
    expect(plan('auto', { OPENAI_MODELS: 'gpt-4o-mini' })).toEqual({ chain: defaultChain });
  });
});
