import { describe, expect, it } from 'vitest';

import { createProvider } from './create-provider.js';

describe('createProvider', () => {
  it.each(['openai', 'groq', 'gemini', 'anthropic', 'cohere'] as const)(
    'builds %s under its id, or under the given instance name',
    (id) => {
      expect(createProvider(id, { apiKey: 'sk-test-key' })).toMatchObject({ id, name: id });
      expect(createProvider(id, { apiKey: 'sk-test-key', name: `${id}:own-1` })).toMatchObject({
        id,
        name: `${id}:own-1`,
      });
    },
  );

  it('builds openai-compatible only with a baseUrl, since it has no vendor endpoint to send the key to', () => {
    expect(() => createProvider('openai-compatible', { apiKey: 'sk-test-key' })).toThrow(/baseUrl/);
    expect(
      createProvider('openai-compatible', { apiKey: 'sk-test-key', baseUrl: 'http://127.0.0.1:9/v1' }),
    ).toMatchObject({ id: 'openai-compatible' });
  });

  it('builds local without a key and refuses a remote provider without one', () => {
    expect(createProvider('local')).toMatchObject({ id: 'local', name: 'local' });
    expect(() => createProvider('openai', { apiKey: '' })).toThrow(/apiKey/);
  });
});
