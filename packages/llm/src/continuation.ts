import type { ChatMessage, ChatRequest } from './chat-types.js';

/**
 * The user turn sent after a partial assistant answer to providers that cannot continue a prefill.
 * Simulators recognise this exact text, so keep it stable.
 */
export const continueInstruction =
  'Your previous answer was cut off. Continue it exactly where it stopped: do not repeat anything, do not add any preface, start with the next character.';

/** The request that asks a provider to continue `partialText` as the answer to `request`. */
export function buildContinuationRequest(
  request: ChatRequest,
  partialText: string,
  supportsPrefill: boolean,
): ChatRequest {
  const partial: ChatMessage = { role: 'assistant', content: partialText };
  const messages: ChatMessage[] = supportsPrefill
    ? [...request.messages, partial]
    : [...request.messages, partial, { role: 'user', content: continueInstruction }];
  return { ...request, messages };
}
