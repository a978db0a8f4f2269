import { continueInstruction } from '../continuation.js';
import type { ParsedCall } from './simulator-types.js';

/** The deterministic default answer: the same prompt always yields the same tokens. */
export function defaultAnswerText(call: ParsedCall): string {
  const topic = call.prompt.trim().split(/\s+/).slice(0, 8).join(' ') || 'nothing';
  return `Simulated answer about ${topic}. It has several words so that streams carry many tokens and tests can cut them anywhere.`;
}

/** Splits text into word tokens that keep their trailing whitespace, so joining them gives the text back. */
export function splitTokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Text of a message content in any of the shapes providers use (string, parts with `text`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return (content as unknown[])
      .map((part) => {
        const text = part && typeof part === 'object' && 'text' in part ? part.text : undefined;
        return typeof text === 'string' ? text : '';
      })
      .join('');
  }
  return '';
}

/**
 * Works out prompt and partial answer from role/text turns, recognising both continuation styles:
 * a trailing assistant prefill, and assistant partial + the client's continue instruction.
 */
export function readConversation(
  turns: Array<{ role: string; text: string }>,
): Pick<ParsedCall, 'prompt' | 'partial' | 'hasPrefill' | 'promptText'> {
  const last = turns.at(-1);
  const hasPrefill = last?.role === 'assistant';
  let partial: string | undefined;
  let promptIndex = turns.length - 1;
  if (hasPrefill) {
    partial = last.text;
    promptIndex = turns.length - 2;
  } else if (
    last?.role === 'user' &&
    last.text === continueInstruction &&
    turns.at(-2)?.role === 'assistant'
  ) {
    partial = turns.at(-2)?.text;
    promptIndex = turns.length - 3;
  }
  let prompt = '';
  for (let index = promptIndex; index >= 0; index -= 1) {
    const turn = turns[index];
    if (turn?.role === 'user') {
      prompt = turn.text;
      break;
    }
  }
  return { prompt, partial, hasPrefill, promptText: turns.map((turn) => turn.text).join('\n') };
}
