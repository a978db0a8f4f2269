import type { ChatCompletion, ChatToolCall, ChatUsage, FinishReason } from '../../chat-types.js';

/** The OpenAI `chat.completion` of a provider's single-choice answer. */
export function toChatCompletion(answer: {
  id: string;
  model: string;
  text: string;
  toolCalls: ChatToolCall[];
  finishReason: FinishReason;
  usage: ChatUsage;
}): ChatCompletion {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.text,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}),
        },
        finish_reason: answer.finishReason,
        logprobs: null,
      },
    ],
    usage: answer.usage,
  };
}
