import { createRequire } from 'node:module';
import type * as GptTokenizer from 'gpt-tokenizer';
import type { ChatMessage } from './chat-types.js';
import { contentToText } from './providers/shared/content-text.js';

// Per-message framing tokens OpenAI documents for chat models (role + separators).
const tokensPerMessage = 3;

// The o200k encoder costs ~65 MB of heap the moment it is imported, and most processes never need an estimate
// (providers report usage). It is loaded on first use instead, through its CommonJS build so that
// `estimateTokens` stays synchronous for its callers.
let loadedCountTokens: typeof GptTokenizer.countTokens | undefined;
function countTokens(text: string): number {
  loadedCountTokens ??= (createRequire(import.meta.url)('gpt-tokenizer') as typeof GptTokenizer).countTokens;
  return loadedCountTokens(text);
}

/**
 * Token count with the o200k tokenizer: exact for current OpenAI models, a close estimate for others.
 * Accepts a text or a conversation. The first call loads the tokenizer (tens of milliseconds).
 */
export function estimateTokens(input: string | ChatMessage[]): number {
  if (typeof input === 'string') return input.length === 0 ? 0 : countTokens(input);
  let total = 3;
  for (const message of input) {
    total += tokensPerMessage + countTokens(contentToText(message.content));
    for (const call of message.tool_calls ?? [])
      total += countTokens(call.function.name) + countTokens(call.function.arguments);
  }
  return total;
}
