import { createGroqProvider, createOpenAIProvider } from '@switchyard/llm';
import { describe, expect, it } from 'vitest';
import { planChain } from './model-routing.js';

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
    expect(planChain('auto', providers, defaultChain, [], [ownOpenAI])).toEqual([
      { provider: 'openai:own-1234abcd', model: 'gpt-4o' },
      ...defaultChain,
    ]);
  });

  it('sends a pinned model to its provider’s own key first, then the server key, then the rest', () => {
    expect(planChain('openai/gpt-4.1', providers, defaultChain, [], [ownGroq, ownOpenAI])).toEqual([
      { provider: 'openai:own-1234abcd', model: 'gpt-4.1' },
      { provider: 'openai', model: 'gpt-4.1' },
      { provider: 'groq:own-5678abcd', model: 'llama-3.1-8b-instant' },
      { provider: 'groq', model: 'llama-3.3-70b-versatile' },
    ]);
  });

  it('serves a provider only the user has a key for', () => {
    expect(planChain('llama-3.1-8b-instant', [openai], [defaultChain[0]!], [], [ownGroq])).toEqual([
      { provider: 'groq:own-5678abcd', model: 'llama-3.1-8b-instant' },
      { provider: 'openai', model: 'gpt-4o-mini' },
    ]);
  });

  it('keeps the plain chain and preference order without own keys', () => {
    expect(planChain('auto', providers, defaultChain, ['groq'])).toEqual([defaultChain[1], defaultChain[0]]);
    expect(planChain('gpt-4o', providers, defaultChain)).toEqual([
      { provider: 'openai', model: 'gpt-4o' },
      defaultChain[1],
    ]);
  });
});
