import { parseConfig, providersConfigSchema } from '@switchyard/config';
import { describe, expect, it } from 'vitest';
import { createServedModels } from './served-models.js';

const servedBy = (env: Record<string, string> = {}) =>
  createServedModels(parseConfig({ providers: providersConfigSchema }, env).providers);

describe('served models', () => {
  it('serves listed models and their dated snapshots, nothing else', () => {
    const served = servedBy();
    expect(served.serves('openai', 'gpt-4o')).toBe(true);
    expect(served.serves('openai', 'gpt-4o-2024-08-06')).toBe(true);
    expect(served.serves('anthropic', 'claude-sonnet-4-5-20250929')).toBe(true);
    expect(served.serves('openai', 'gpt-4o-turbo')).toBe(false);
    expect(served.serves('openai', 'gpt-does-not-exist')).toBe(false);
    expect(served.serves('openai', 'claude-sonnet-4-5')).toBe(false);
  });

  it('does not restrict an OpenAI-compatible server until OPENAI_COMPATIBLE_MODELS lists its models', () => {
    expect(servedBy().serves('openai-compatible', 'anything:7b')).toBe(true);
    const listed = servedBy({ OPENAI_COMPATIBLE_MODELS: 'default,llama3.1:8b' });
    expect(listed.serves('openai-compatible', 'llama3.1:8b')).toBe(true);
    expect(listed.serves('openai-compatible', 'anything:7b')).toBe(false);
  });

  it('shows the chain model first, then what the key serves', () => {
    const served = servedBy({ GROQ_MODELS: 'llama-3.1-8b-instant,llama-3.3-70b-versatile' });
    expect(served.shown('groq', 'llama-3.3-70b-versatile')).toEqual([
      'llama-3.3-70b-versatile',
      'llama-3.1-8b-instant',
    ]);
    expect(served.shown('openai-compatible', 'default')).toEqual(['default']);
  });
});
