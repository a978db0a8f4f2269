import { estimateTokens, type ChatMessage } from '@switchyard/llm';

/**
 * The newest part of a conversation's history that fits, with the new message, in `contextTokens` while leaving
 * `answerTokens` for the answer: the native chat API sends this, not a fixed number of messages, so one request never
 * carries (and bills) more history than the model can take. The new message is always sent.
 */
export function boundHistory(
  history: ChatMessage[],
  next: ChatMessage,
  budget: { contextTokens: number; answerTokens: number },
): ChatMessage[] {
  // estimateTokens counts 3 tokens of reply priming per conversation, and per message its content and framing.
  let used = estimateTokens([next]) + budget.answerTokens;
  let first = history.length;
  while (first > 0) {
    const cost = estimateTokens([history[first - 1]!]) - 3;
    if (used + cost > budget.contextTokens) break;
    used += cost;
    first -= 1;
  }
  return [...history.slice(first), next];
}
