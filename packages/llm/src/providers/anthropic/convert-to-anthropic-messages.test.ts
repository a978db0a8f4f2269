import { describe, expect, it } from 'vitest';

import type { ChatRequest } from '../../chat-types.js';
import { LlmError } from '../../errors.js';
import { convertToAnthropicRequest, defaultAnthropicMaxTokens } from './convert-to-anthropic-messages.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

const model = 'claude-sonnet-4-5';

function convert(request: Partial<ChatRequest>) {
  return convertToAnthropicRequest(
    { model: 'ignored', messages: [{ role: 'user', content: 'Hi' }], ...request },
    'anthropic',
    model,
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

describe('convertToAnthropicRequest', () => {
  it('moves system and developer messages to the system prompt and asks for default max_tokens', () => {
    const params = convert({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(params.system).toBe('Be terse.\n\nAnswer in French.');
    expect(params.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
    expect(params.max_tokens).toBe(defaultAnthropicMaxTokens);
    expect(params.model).toBe(model);
  });

  it('turns assistant tool calls into tool_use blocks and tool results into one user turn of tool_result blocks', () => {
    const params = convert({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              id: 'toolu_2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
        { role: 'tool', tool_call_id: 'toolu_2', content: '24C' },
      ],
    });
    expect(params.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '24C' },
        ],
      },
    ]);
  });

  it('keeps a trailing assistant message as the prefill, without the trailing whitespace Anthropic rejects', () => {
    const params = convert({
      messages: [
        { role: 'user', content: 'Count' },
        { role: 'assistant', content: 'One, two, ' },
      ],
    });
    expect(params.messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'One, two,' }],
    });
  });

  it('maps sampling, stop, tools, tool_choice, parallel tool calls and user', () => {
    const params = convert({
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      stop: 'END',
      user: 'user-42',
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'Look up',
            parameters: { type: 'object', properties: { q: { type: 'string' } } },
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
    });
    expect(params).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      tools: [
        {
          name: 'lookup',
          description: 'Look up',
          input_schema: { type: 'object', properties: { q: { type: 'string' } } },
        },
      ],
      tool_choice: { type: 'tool', name: 'lookup', disable_parallel_tool_use: true },
    });
    expect(convert({ tool_choice: 'required' }).tool_choice).toEqual({ type: 'any' });
    expect(convert({ tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
  });

  it('passes images as base64 or URL sources', () => {
    const params = convert({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(params.messages[0]?.content).toEqual([
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('refuses what Anthropic cannot honour instead of dropping it', () => {
    expect(kindOf(() => convert({ response_format: { type: 'json_object' } }))).toBe('unsupported_feature');
    expect(kindOf(() => convert({ temperature: 1.5 }))).toBe('unsupported_feature');
    expect(kindOf(() => convert({ n: 2 }))).toBe('unsupported_feature');
    expect(kindOf(() => convert({ presence_penalty: 0.5 }))).toBe('unsupported_feature');
    expect(kindOf(() => convert({ response_format: { type: 'text' }, n: 1, stream: true }))).toBeUndefined();
  });

  it('rejects tool call arguments that are not a JSON object as bad_request', () => {
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1,2' } }],
      },
    ];
    expect(kindOf(() => convert({ messages }))).toBe('bad_request');
  });
});

describe('mapAnthropicFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['tool_use', 'tool_calls'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['refusal', 'content_filter'],
  ] as const)('maps %s to %s', (stopReason, finishReason) => {
    expect(mapAnthropicFinishReason(stopReason)).toBe(finishReason);
  });
});
