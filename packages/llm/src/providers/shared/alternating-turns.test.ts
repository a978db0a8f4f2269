import { describe, expect, it } from 'vitest';

import type { ChatMessage } from '../../chat-types.js';
import { LlmError } from '../../errors.js';
import { toAlternatingTurns, type TurnBlockWriter } from './alternating-turns.js';

/** Blocks as readable strings, so a test shows which message each came from. */
const writer: TurnBlockWriter<string> = {
  userPart: (part) => (part.type === 'text' ? `user:${part.text}` : `image:${part.image_url.url}`),
  assistantText: (text) => `assistant:${text}`,
  toolCall: (call, input) => `call:${call.function.name}(${JSON.stringify(input)})`,
  toolResult: (message) => `result:${message.tool_call_id ?? ''}`,
};

describe('toAlternatingTurns', () => {
  it('joins system and developer messages into one prompt and merges tool results into the user turn', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'developer', content: 'Answer in French.' },
      { role: 'user', content: [{ type: 'text', text: 'And now?' }] },
      { role: 'assistant', content: '' },
    ];
    expect(toAlternatingTurns(messages, 'vendor', writer)).toEqual({
      system: 'Be terse.\n\nAnswer in French.',
      turns: [
        { role: 'user', blocks: ['user:Weather?'] },
        { role: 'assistant', blocks: ['call:weather({"city":"Oslo"})'] },
        { role: 'user', blocks: ['result:c1', 'user:And now?'] },
      ],
    });
  });

  it('has no system prompt without system messages and keeps a trailing assistant turn last', () => {
    const { system, turns } = toAlternatingTurns(
      [
        { role: 'user', content: 'Write a haiku' },
        { role: 'assistant', content: 'Autumn' },
      ],
      'vendor',
      writer,
    );
    expect(system).toBeUndefined();
    expect(turns.at(-1)).toEqual({ role: 'assistant', blocks: ['assistant:Autumn'] });
  });

  it('refuses an assistant message with an image as a bad request before any call', () => {
    const image: ChatMessage = {
      role: 'assistant',
      content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
    };
    expect(() => toAlternatingTurns([image], 'vendor', writer)).toThrow(LlmError);
    expect(() => toAlternatingTurns([image], 'vendor', writer)).toThrow(
      /assistant messages can only hold text/,
    );
  });
});
