import { describe, expect, it } from 'vitest';
import {
  normalizeInput,
  toChatRequest,
  unsupportedFeatures,
  type ResponsesRequest,
} from './responses-request.js';

let counter = 0;
const newId = (prefix: string) => `${prefix}_${++counter}`;

const paramOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { code: (error as { code?: string }).code, param: (error as { param?: string }).param };
  }
  throw new Error('did not throw');
};

describe('normalizeInput', () => {
  it('makes a string one user message with an input_text part', () => {
    expect(normalizeInput('Hi', newId)).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'Hi' }],
        status: 'completed',
      },
    ]);
  });

  it('keeps item ids, types assistant text as output_text, and reads every supported item', () => {
    const items = normalizeInput(
      [
        { role: 'developer', content: 'Rules' },
        {
          type: 'message',
          id: 'msg_a',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello' }],
        },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'ok' }] },
      ],
      newId,
    );
    expect(items.map((item) => item.type)).toEqual([
      'message',
      'message',
      'function_call',
      'function_call_output',
    ]);
    expect(items[1]).toMatchObject({ id: 'msg_a', content: [{ type: 'output_text', text: 'Hello' }] });
    expect(items[3]).toMatchObject({ call_id: 'call_1', output: 'ok' });
  });

  it('names the field of a malformed or unknown item', () => {
    expect(paramOf(() => normalizeInput([{ role: 'robot', content: 'x' }], newId))).toEqual({
      code: 'INVALID_VALUE',
      param: 'input[0].role',
    });
    expect(
      paramOf(() => normalizeInput([{ type: 'function_call', name: 'f', arguments: '{}' }], newId)),
    ).toMatchObject({ param: 'input[0].call_id' });
    expect(paramOf(() => normalizeInput([{ type: 'item_reference', id: 'x' }], newId))).toMatchObject({
      param: 'input[0]',
    });
    expect(
      paramOf(() =>
        normalizeInput([{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }], newId),
      ),
    ).toMatchObject({ param: 'input[0].content[0]' });
    expect(paramOf(() => normalizeInput(42, newId))).toMatchObject({ param: 'input' });
  });
});

describe('toChatRequest', () => {
  const body = (fields: Partial<ResponsesRequest> = {}): ResponsesRequest => ({ model: 'auto', ...fields });

  it('puts instructions first and merges a turn of text and function calls into one assistant message', () => {
    const items = normalizeInput(
      [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Let me check.' },
        { type: 'function_call', call_id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call', call_id: 'c2', name: 'weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'c1', output: 'cold' },
        { type: 'function_call_output', call_id: 'c2', output: 'warm' },
      ],
      newId,
    );
    expect(toChatRequest(body({ instructions: 'Be brief.' }), items).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          { id: 'c2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'cold' },
      { role: 'tool', tool_call_id: 'c2', content: 'warm' },
    ]);
  });

  it('translates tools, tool_choice, sampling, limits and the text format; null means absent', () => {
    const request = toChatRequest(
      body({
        tools: [
          { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
        ],
        tool_choice: { type: 'function', name: 'f' },
        temperature: 0.2,
        top_p: null,
        max_output_tokens: 64,
        parallel_tool_calls: false,
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
        stream: true,
      }),
      normalizeInput('x', newId),
    );
    expect(request).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      temperature: 0.2,
      max_tokens: 64,
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
      stream: true,
    });
    expect(request).not.toHaveProperty('top_p');
  });

  it('passes images by URL as image_url parts', () => {
    const items = normalizeInput(
      [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
          ],
        },
      ],
      newId,
    );
    expect(toChatRequest(body(), items).messages[0]?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
    ]);
  });

  it('refuses an empty conversation and a bad tool_choice, naming the field', () => {
    expect(paramOf(() => toChatRequest(body({ instructions: 'Only this' }), []))).toMatchObject({
      param: 'input',
    });
    expect(
      paramOf(() => toChatRequest(body({ tool_choice: 'sometimes' }), normalizeInput('x', newId))),
    ).toMatchObject({ param: 'tool_choice' });
  });
});

describe('unsupportedFeatures', () => {
  it('names built-in tools, unsupported features and values, and lets harmless defaults pass', () => {
    expect(
      unsupportedFeatures({
        model: 'auto',
        tools: [{ type: 'function', name: 'f' }, { type: 'web_search' }, { type: 'mcp', server_label: 'x' }],
        tool_choice: { type: 'file_search' },
        background: true,
        include: ['reasoning.encrypted_content'],
        prompt: { id: 'pmpt_1' },
        truncation: 'auto',
        text: { format: { type: 'text' }, verbosity: 'low' },
      }).map((feature) => feature.param),
    ).toEqual([
      'background',
      'include',
      'prompt',
      'tools[1]',
      'tools[2]',
      'tool_choice',
      'truncation',
      'text.verbosity',
    ]);
    expect(
      unsupportedFeatures({
        model: 'auto',
        background: false,
        include: [],
        reasoning: { effort: null, summary: null },
        conversation: null,
        truncation: 'disabled',
        service_tier: 'auto',
        safety_identifier: 'user-1',
        text: { format: { type: 'json_object' } },
        tools: [{ type: 'function', name: 'f' }],
        tool_choice: 'required',
      }),
    ).toEqual([]);
  });

  it('counts each under its own capability gap', () => {
    expect(
      unsupportedFeatures({
        model: 'auto',
        tools: [{ type: 'code_interpreter' }],
        reasoning: { effort: 'low' },
      }),
    ).toEqual([
      { param: 'reasoning', capability: 'responses:reasoning' },
      { param: 'tools[0]', capability: 'responses:tool:code_interpreter' },
    ]);
  });
});
