import type { ChatRequest, ChatUsage } from '../../chat-types.js';
import { contentToText } from './content-text.js';
import { estimateTokens } from '../../tokens.js';

/** Usage counted with our tokenizer, for a provider that reported none; marked `estimated`. */
export function estimatedUsage(request: ChatRequest, completionText: string): ChatUsage {
  const promptTokens = estimateTokens(request.messages);
  const completionTokens = estimateTokens(completionText);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    estimated: true,
  };
}

/** Characters per token of English text with current tokenizers, for a rough count. */
const charactersPerToken = 4;

/**
 * The usage of an attempt cancelled before any answer came back (a hedge that lost): its prompt, counted roughly
 * from its length, marked `estimated`. Rough on purpose: loading the tokenizer blocks the event loop for about half
 * a second, which would stall every stream in the process at the moment a hedge is decided.
 */
export function cancelledUsage(request: ChatRequest): ChatUsage {
  let characters = 0;
  for (const message of request.messages) characters += contentToText(message.content).length + 12;
  const promptTokens = Math.ceil(characters / charactersPerToken);
  return { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens, estimated: true };
}
