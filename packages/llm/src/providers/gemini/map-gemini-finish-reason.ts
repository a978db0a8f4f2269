import type { FinishReason } from '../../chat-types.js';

const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);

/**
 * Maps a Gemini `finishReason` to the OpenAI `finish_reason`. Gemini says `STOP` after a function call too,
 * so whether the answer holds tool calls decides `tool_calls`.
 */
export function mapGeminiFinishReason(finishReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (finishReason === 'MAX_TOKENS') return 'length';
  if (finishReason !== undefined && contentFilterReasons.has(finishReason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}
