import type { ChatCompletion, ChatCompletionChunk } from '@switchyard/llm';
import { describe, expect, it } from 'vitest';
import {
  createResponseEventTranslator,
  responseFromCompletion,
  responseShell,
  type ResponseStreamEvent,
} from './responses-answer.js';

let counter = 0;
const newId = (prefix: string) => `${prefix}_${++counter}`;
const shell = () => responseShell('resp_1', 1_760_000_000, { model: 'auto', metadata: { k: 'v' } });
const usage = {
  prompt_tokens: 10,
  completion_tokens: 4,
  total_tokens: 14,
  prompt_tokens_details: { cached_tokens: 6 },
};

const chunk = (
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finishReason: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});

describe('responseFromCompletion', () => {
  it('makes the text one output message and each tool call a function_call, with Responses usage', () => {
    const completion: ChatCompletion = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage,
    };
    const response = responseFromCompletion(shell(), completion, 'gpt-4o-mini', newId);
    expect(response).toMatchObject({
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      metadata: { k: 'v' },
      store: true,
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
        },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}', status: 'completed' },
      ],
      usage: {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 6 },
        output_tokens: 4,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 14,
      },
    });
  });

  it('reports an answer cut by max_output_tokens as incomplete', () => {
    const response = responseFromCompletion(
      shell(),
      {
        id: 'c',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Half' }, finish_reason: 'length' }],
      },
      'm',
      newId,
    );
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output[0]?.status).toBe('incomplete');
  });
});

describe('createResponseEventTranslator', () => {
  const run = (chunks: ChatCompletionChunk[]) => {
    const translator = createResponseEventTranslator(shell(), newId);
    const events: ResponseStreamEvent[] = chunks.flatMap((each) => translator.chunk(each));
    const final = translator.complete('gpt-4o-mini', usage);
    return { events: [...events, ...final.events], response: final.response };
  };

  it('emits the text events in order with consecutive sequence numbers', () => {
    const { events, response } = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
    ]);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.find((event) => event.type === 'response.output_text.done')).toMatchObject({
      text: 'Hello',
    });
    // The item announced as added has no content yet; the done item has all of it.
    expect(events[2]).toMatchObject({ item: { type: 'message', content: [], status: 'in_progress' } });
    expect(events.at(-2)).toMatchObject({ item: { status: 'completed', content: [{ text: 'Hello' }] } });
    expect(response).toMatchObject({
      status: 'completed',
      usage: { input_tokens_details: { cached_tokens: 6 } },
    });
    expect(response.output).toHaveLength(1);
  });

  it('closes the message before a function call and streams the call arguments per tool index', () => {
    const { events, response } = run([
      chunk({ content: 'Let me check.' }),
      chunk({
        tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(events.map((event) => event.type).slice(2)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(response.output).toMatchObject([
      { type: 'message' },
      { type: 'function_call', call_id: 'call_a', name: 'f', arguments: '{"x":1}' },
      { type: 'function_call', call_id: 'call_b', name: 'g', arguments: '{}' },
    ]);
    expect(
      events.filter((event) => event.type === 'response.output_item.added').map((e) => e.output_index),
    ).toEqual([0, 1, 2]);
  });

  it('ends a broken stream with response.failed, then error, keeping the partial output as incomplete', () => {
    const translator = createResponseEventTranslator(shell(), newId);
    translator.chunk(chunk({ content: 'Part' }));
    const events = translator.fail({
      code: 'all_providers_failed',
      message: 'Every provider failed.',
      param: null,
    });
    expect(events.map((event) => event.type)).toEqual(['response.failed', 'error']);
    expect(events[0]).toMatchObject({
      response: {
        status: 'failed',
        error: { code: 'all_providers_failed', message: 'Every provider failed.' },
        output: [{ status: 'incomplete', content: [{ text: 'Part' }] }],
      },
    });
    expect(events[1]).toMatchObject({ code: 'all_providers_failed', message: 'Every provider failed.' });
  });

  it('opens the Response even when the stream fails before its first chunk', () => {
    const translator = createResponseEventTranslator(shell(), newId);
    expect(
      translator.fail({ code: 'all_providers_failed', message: 'x', param: null }).map((event) => event.type),
    ).toEqual(['response.created', 'response.in_progress', 'response.failed', 'error']);
  });
});
