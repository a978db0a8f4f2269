import type { FinishReason } from '../../chat-types.js';

/**
 * Maps a Cohere v2 `finish_reason` to the OpenAI `finish_reason`. `ERROR` and `TIMEOUT` are failures,
 * not endings: the adapter raises them before asking this.
 */
export function mapCohereFinishReason(finishReason: string | undefined): FinishReason {
  switch (finishReason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    default:
      return 'stop';
  }
}
