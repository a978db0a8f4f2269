import { describe, expect, it } from 'vitest';

import type { ChatRequest } from '../../chat-types.js';
import { LlmError } from '../../errors.js';
import { convertToGeminiRequest } from './convert-to-gemini-messages.js';
import { retryDelayMs } from './gemini-error.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

function convert(request: Partial<ChatRequest>) {
  return convertToGeminiRequest(
    { model: 'ignored', messages: [{ role: 'user', content: 'Hi' }], ...request },
    'gemini',
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

describe('convertToGeminiRequest', () => {
  it('puts system text in systemInstruction and assistant turns in model turns, keeping a trailing prefill last', () => {
    const request = convert({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Count' },
        { role: 'assistant', content: 'One, two,' },
      ],
    });
    expect(request.systemInstruction).toEqual({ role: 'system', parts: [{ text: 'Be terse.' }] });
    expect(request.contents).toEqual([
      { role: 'user', parts: [{ text: 'Count' }] },
      { role: 'model', parts: [{ text: 'One, two,' }] },
    ]);
  });

  it('sends tool calls as functionCall parts and tool results as functionResponse parts named after their call', () => {
    const request = convert({
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":18}' },
        { role: 'tool', tool_call_id: 'call_1', content: 'plain text' },
      ],
    });
    expect(request.contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { celsius: 18 } } },
          { functionResponse: { name: 'get_weather', response: { content: 'plain text' } } },
        ],
      },
    ]);
  });

  it('maps sampling, stop, JSON output, tools and tool_choice', () => {
    const request = convert({
      temperature: 0.3,
      top_p: 0.8,
      max_completion_tokens: 256,
      stop: ['END', 'STOP'],
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      },
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', additionalProperties: false } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
    });
    expect(request.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.8,
      maxOutputTokens: 256,
      stopSequences: ['END', 'STOP'],
      seed: 7,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
    });
    expect(request.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'lookup', parametersJsonSchema: { type: 'object', additionalProperties: false } },
        ],
      },
    ]);
    expect(request.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] },
    });
    expect(convert({ tool_choice: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(convert({ response_format: { type: 'json_object' } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('sends base64 images inline and refuses other image URLs, parallel_tool_calls false and n > 1', () => {
    const request = convert({
      messages: [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }],
        },
      ],
    });
    expect(request.contents[0]?.parts).toEqual([
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
    ]);
    expect(
      kindOf(() =>
        convert({
          messages: [
            { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }] },
          ],
        }),
      ),
    ).toBe('unsupported_feature');
    expect(kindOf(() => convert({ parallel_tool_calls: false }))).toBe('unsupported_feature');
    expect(kindOf(() => convert({ n: 3 }))).toBe('unsupported_feature');
  });

  it('rejects a tool result that answers no earlier call as bad_request', () => {
    expect(
      kindOf(() =>
        convert({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'nope', content: '1' },
          ],
        }),
      ),
    ).toBe('bad_request');
  });
});

describe('retryDelayMs', () => {
  it('reads google.rpc.RetryInfo durations', () => {
    const retryInfo = (retryDelay: string) => [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure' },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
    ];
    expect(retryDelayMs(retryInfo('7s'))).toBe(7_000);
    expect(retryDelayMs(retryInfo('0.250s'))).toBe(250);
    expect(retryDelayMs([{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo' }])).toBeUndefined();
    expect(retryDelayMs(undefined)).toBeUndefined();
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['OTHER', false, 'stop'],
  ] as const)('maps %s (tool calls: %s) to %s', (reason, hasToolCalls, expected) => {
    expect(mapGeminiFinishReason(reason, hasToolCalls)).toBe(expected);
  });
});
