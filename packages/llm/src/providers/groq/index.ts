import type { ChatProvider, ProviderTimeouts } from '../../chat-provider.js';
import { createOpenAICompatibleProvider } from '../openai-compatible/index.js';

/** Options of `createGroqProvider`. */
export interface GroqProviderOptions {
  name?: string;
  apiKey: string;
  /** Default `https://api.groq.com/openai/v1`. */
  baseUrl?: string;
  timeouts?: ProviderTimeouts;
  fetch?: typeof globalThis.fetch;
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
