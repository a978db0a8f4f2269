import { estimateTokens, type ChatMessage } from '@switchyard/llm';
import { describe, expect, it } from 'vitest';
import { boundHistory } from './history-budget.js';

const message = (index: number): ChatMessage => ({
  role: index % 2 === 0 ? 'user' : 'assistant',
  content: `message number ${index} with a few words of content`,
});

describe('boundHistory', () => {
  const history = Array.from({ length: 40 }, (_, index) => message(index));
  const next: ChatMessage = { role: 'user', content: 'the new question' };

  it('keeps the newest messages that fit with room for the answer, and always the new message', () => {
    const sent = boundHistory(history, next, { contextTokens: 200, answerTokens: 100 });
    expect(sent.at(-1)).toBe(next);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThan(history.length + 1);
    // The kept history is the newest part, in order.
    expect(sent.slice(0, -1)).toEqual(history.slice(history.length - (sent.length - 1)));
    expect(estimateTokens(sent) + 100).toBeLessThanOrEqual(200);
  });

  it('sends everything when it fits, and only the new message when the answer takes the whole budget', () => {
    expect(boundHistory(history, next, { contextTokens: 100_000, answerTokens: 100 })).toHaveLength(41);
    expect(boundHistory(history, next, { contextTokens: 100, answerTokens: 100 })).toEqual([next]);
  });
});
