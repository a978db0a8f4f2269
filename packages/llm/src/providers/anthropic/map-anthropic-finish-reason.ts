import type { StopReason } from '@anthropic-ai/sdk/resources/messages';

import type { FinishReason } from '../../chat-types.js';

/** Maps an Anthropic `stop_reason` to the OpenAI `finish_reason`. */
export function mapAnthropicFinishReason(stopReason: StopReason | null | undefined): FinishReason {
  switch (stopReason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
