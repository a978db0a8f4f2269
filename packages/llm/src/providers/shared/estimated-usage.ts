import type { ChatRequest, ChatUsage } from '../../chat-types.js';
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
