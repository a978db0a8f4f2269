import { describe, expect, it } from 'vitest';

import type { ChatRequest } from '../../chat-types.js';
import { LlmError } from '../../errors.js';
import { convertToCohereRequest } from './convert-to-cohere-messages.js';
import { mapCohereFinishReason } from './map-cohere-finish-reason.js';

function convert(request: Partial<ChatRequest>, stream = false) {
  return convertToCohereRequest(
    { model: 'ignored', messages: [{ role: 'user', content: 'Hi' }], ...request },
    'cohere',
    'command-a-03-2025',
    stream,
  );
}

function kindOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof LlmError ? error.kind : 'not an LlmError';
  }
  return undefined;
}

describe('convertToCohereRequest', () => {
  it('keeps roles, tool calls and tool results in the v2 message shape', () => {
    const body = convert({
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'get_weather_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'get_weather_1', content: '18C' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        tool_calls: [
          {
            id: 'get_weather_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'get_weather_1', content: '18C' },
    ]);
  });

  it('maps sampling, stop, JSON output, tools and tool_choice to Cohere names', () => {
    const body = convert(
      {
        temperature: 0.4,
        top_p: 0.75,
        max_tokens: 50,
        stop: 'END',
        seed: 3,
        frequency_penalty: 0.1,
        response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } },
        tools: [{ type: 'function', function: { name: 'lookup' } }],
        tool_choice: 'required',
      },
      true,
    );
    expect(body).toMatchObject({
      model: 'command-a-03-2025',
      stream: true,
      temperature: 0.4,
      p: 0.75,
      max_tokens: 50,
      stop_sequences: ['END'],
      seed: 3,
      frequency_penalty: 0.1,
      response_format: { type: 'json_object', json_schema: { type: 'object' } },
      tools: [
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: 'REQUIRED',
    });
    expect(convert({ tool_choice: 'none' }).tool_choice).toBe('NONE');
    expect(convert({ tool_choice: 'auto' })).not.toHaveProperty('tool_choice');
  });

  it('refuses a named tool_choice and fields Cohere cannot honour', () => {
    expect(kindOf(() => convert({ tool_choice: { type: 'function', function: { name: 'lookup' } } }))).toBe(
      'unsupported_feature',
    );
    expect(kindOf(() => convert({ logprobs: true }))).toBe('unsupported_feature');
    expect(kindOf(() => convert({ parallel_tool_calls: false }))).toBe('unsupported_feature');
  });
});

describe('mapCohereFinishReason', () => {
  it.each([
    ['COMPLETE', 'stop'],
    ['STOP_SEQUENCE', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['TOOL_CALL', 'tool_calls'],
  ] as const)('maps %s to %s', (reason, expected) => {
    expect(mapCohereFinishReason(reason)).toBe(expected);
  });
});
