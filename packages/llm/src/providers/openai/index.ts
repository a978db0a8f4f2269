import type { ChatProvider, ProviderTimeouts } from '../../chat-provider.js';
import { createOpenAICompatibleProvider } from '../openai-compatible/index.js';

/** Context windows of current OpenAI chat models, used to pick a fallback after `context_length`. */
export const openAIContextWindows: Record<string, number> = {
  'gpt-4o-mini': 128_000,
  'gpt-4o': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
};

/** Options of `createOpenAIProvider` (same shape as the other adapters' factories). */
export interface OpenAIProviderOptions {
  name?: string;
  apiKey: string;
  /** Default `https://api.openai.com/v1`. */
  baseUrl?: string;
  timeouts?: ProviderTimeouts;
  fetch?: typeof globalThis.fetch;
}

/** OpenAI through the `openai` SDK. */
export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  return createOpenAICompatibleProvider({
    ...options,
    id: 'openai',
    baseUrl: options.baseUrl ?? 'https://api.openai.com/v1',
    contextWindows: openAIContextWindows,
  });
}
