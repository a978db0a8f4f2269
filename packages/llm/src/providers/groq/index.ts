import type { ChatProvider } from '../../chat-provider.js';
import { createOpenAICompatibleProvider } from '../openai-compatible/index.js';
import type { ProviderOptions } from '../shared/index.js';

/** Options of `createGroqProvider`. */
export interface GroqProviderOptions extends ProviderOptions {
  /** Default `https://api.groq.com/openai/v1`. */
  baseUrl?: string;
}

/** Groq through its OpenAI-compatible endpoint. */
export function createGroqProvider(options: GroqProviderOptions): ChatProvider {
  return createOpenAICompatibleProvider({
    ...options,
    id: 'groq',
    baseUrl: options.baseUrl ?? 'https://api.groq.com/openai/v1',
    contextWindows: { 'llama-3.3-70b-versatile': 131_072, 'llama-3.1-8b-instant': 131_072 },
  });
}
