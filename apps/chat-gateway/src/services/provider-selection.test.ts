import { createLocalProvider, createOpenAIProvider, localModel } from '@switchyard/llm';
import { describe, expect, it } from 'vitest';
import { selectProviders } from './provider-selection.js';

const served = { shown: (_name: string, defaultModel: string) => [defaultModel, 'listed-model'] };

const openai = createOpenAIProvider({ apiKey: 'sk-server-0000' });
const local = createLocalProvider();
const withKey = {
  providers: [openai, local],
  defaultChain: [{ provider: 'openai', model: 'gpt-4o-mini' }],
};
const withoutKeys = { providers: [local], defaultChain: [{ provider: 'local', model: localModel }] };

describe('selectProviders', () => {
  it('lets local stand in for missing keys outside production, and says so', () => {
    const selected = selectProviders(withoutKeys, { isProduction: false, fallbackOrder: [], served });
    expect(selected.defaultChain).toEqual([{ provider: 'local', model: localModel }]);
    expect(selected.usingLocalFallback).toBe(true);
  });

  it('drops local in production unless LLM_FALLBACK_ORDER names it', () => {
    const dropped = selectProviders(withoutKeys, { isProduction: true, fallbackOrder: [], served });
    expect(dropped.providers).toEqual([]);
    expect(dropped.defaultChain).toEqual([]);
    expect(dropped.usingLocalFallback).toBe(false);

    const named = selectProviders(withoutKeys, { isProduction: true, fallbackOrder: ['local'], served });
    expect(named.providers.map((provider) => provider.name)).toEqual(['local']);
  });

  it('lists the chain with the models its keys serve, the configured model first', () => {
    const selected = selectProviders(withKey, { isProduction: true, fallbackOrder: [], served });
    expect(selected.providers.map((provider) => provider.name)).toEqual(['openai']);
    expect(selected.usingLocalFallback).toBe(false);
    expect(selected.routable).toHaveLength(1);
    expect(selected.routable[0]).toMatchObject({ name: 'openai', id: 'openai', defaultModel: 'gpt-4o-mini' });
    expect(selected.routable[0]?.models).toEqual(['gpt-4o-mini', 'listed-model']);
  });
});
