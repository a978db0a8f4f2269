import { embeddingModelCatalog } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { embeddingModelPrices, priceUsage } from '../pricing.js';

describe('embedding catalog and prices', () => {
  it('prices exactly the embedding models config serves by default, so every served model is counted', () => {
    for (const [provider, models] of Object.entries(embeddingModelCatalog))
      expect(Object.keys(embeddingModelPrices[provider] ?? {}).sort()).toEqual([...models].sort());
  });

  it('prices embedding input tokens through priceUsage', () => {
    const cost = priceUsage('openai', 'text-embedding-3-small', {
      prompt_tokens: 1_000_000,
      completion_tokens: 0,
      total_tokens: 1_000_000,
    });
    expect(cost?.totalUsd).toBeCloseTo(0.02);
  });
});
