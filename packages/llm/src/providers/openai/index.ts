import type { ChatProvider } from '../../chat-provider.js';
import { createOpenAICompatibleProvider } from '../openai-compatible/index.js';
import type { ProviderOptions } from '../shared/index.js';

/** Context windows of current OpenAI chat models, used to pick a fallback after `context_length`. */
export const openAIContextWindows: Record<string, number> = {
  'gpt-4o-mini': 128_000,
  'gpt-4o': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
};

/** Options of `createOpenAIProvider`. */
export interface OpenAIProviderOptions extends ProviderOptions {
  /** Default `https://api.openai.com/v1`. */
  baseUrl?: string;
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

export { createOpenAIEmbeddingProvider } from './openai-embedding-provider.js';
