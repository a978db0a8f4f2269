import type { ChatCompletion, ChatCompletionChunk, ChatUsage, FinishReason } from '@switchyard/llm';
import type { ResponsesRequest } from './responses-request.js';

/** An output item of a Response: the model's text, or a call of one of the caller's functions. */
export type OutputItem =
  | {
      id: string;
      type: 'message';
      role: 'assistant';
      status: 'in_progress' | 'completed' | 'incomplete';
      content: Array<{ type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }>;
    }
  | {
      id: string;
      type: 'function_call';
      call_id: string;
      name: string;
      arguments: string;
      status: 'in_progress' | 'completed' | 'incomplete';
    };

/** The Responses API `usage`. */
export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** A Response object as `POST /v1/responses` and `GET /v1/responses/:id` return it. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: null; summary: null };
  store: boolean;
  temperature: number | null;
  text: { format: Record<string, unknown> };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: 'disabled';
  usage: ResponseUsage | null;
  user: string | null;
}

/** One streamed event; `sequence_number` orders them. */
export interface ResponseStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

/** What every Response of a request shares before the model answers: its id, creation time and echoed settings. */
export function responseShell(
  id: string,
  createdAt: number,
  body: ResponsesRequest,
): Omit<ResponseObject, 'model'> {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: body.temperature ?? null,
    text: { format: body.text?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    truncation: 'disabled',
    usage: null,
    user: body.user ?? null,
  };
}

/** Chat usage as Responses usage (`cached_tokens` from the prompt details). */
export function responseUsage(usage: ChatUsage | undefined): ResponseUsage | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}

/** A cut answer is `incomplete` with its reason; anything else that finished is `completed`. */
function finalStatus(
  finishReason: FinishReason | null | undefined,
): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (finishReason === 'length')
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter')
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** The Response of a non-streamed chat answer: its text as one message, then each tool call as a function call. */
export function responseFromCompletion(
  shell: Omit<ResponseObject, 'model'>,
  completion: ChatCompletion,
  model: string,
  newId: (prefix: string) => string,
): ResponseObject {
  const choice = completion.choices[0];
  const status = finalStatus(choice?.finish_reason);
  const itemStatus = status.status === 'completed' ? 'completed' : 'incomplete';
  const output: OutputItem[] = [];
  const text = choice?.message.content;
  if (text)
    output.push({
      id: newId('msg'),
      type: 'message',
      role: 'assistant',
      status: itemStatus,
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    });
  for (const call of choice?.message.tool_calls ?? [])
    output.push({
      id: newId('fc'),
      type: 'function_call',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: 'completed',
    });
  return { ...shell, ...status, model, output, usage: responseUsage(completion.usage) };
}

/**
 * Turns a chat stream into the Responses API's typed events, in OpenAI's order: `response.created` and
 * `response.in_progress` with the first chunk, then per output item `output_item.added`, its content part or
 * argument deltas and their `.done` events, `output_item.done`; `complete()` closes what is open and ends with
 * `response.completed` (or `response.incomplete`), `fail()` with `response.failed` and `error`.
 * A continuation after a cut stream is invisible here: the client hands us one seamless chunk sequence.
 */
export function createResponseEventTranslator(
  shell: Omit<ResponseObject, 'model'>,
  newId: (prefix: string) => string,
) {
  let sequence = 0;
  let model = '';
  let started = false;
  let finishReason: FinishReason | null = null;
  const output: OutputItem[] = [];
  // The item receiving deltas: a message, or the function call of one tool-call index.
  let open: { item: OutputItem; index: number; toolIndex?: number } | undefined;

  const event = (type: string, fields: Record<string, unknown>): ResponseStreamEvent => ({
    type,
    sequence_number: sequence++,
    ...fields,
  });
  const snapshot = (status: ResponseObject['status']): ResponseObject => ({
    ...shell,
    model,
    status,
    output: structuredClone(output),
  });

  function start(events: ResponseStreamEvent[], chunkModel: string): void {
    if (started) return;
    started = true;
    model = chunkModel;
    events.push(event('response.created', { response: snapshot('in_progress') }));
    events.push(event('response.in_progress', { response: snapshot('in_progress') }));
  }

  function close(events: ResponseStreamEvent[]): void {
    if (!open) return;
    const { item, index } = open;
    open = undefined;
    item.status = 'completed';
    if (item.type === 'message') {
      const part = item.content[0]!;
      const where = { item_id: item.id, output_index: index, content_index: 0 };
      events.push(event('response.output_text.done', { ...where, text: part.text, logprobs: [] }));
      events.push(event('response.content_part.done', { ...where, part: structuredClone(part) }));
    } else {
      events.push(
        event('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: index,
          name: item.name,
          arguments: item.arguments,
        }),
      );
    }
    events.push(event('response.output_item.done', { output_index: index, item: structuredClone(item) }));
  }

  function openItem(events: ResponseStreamEvent[], item: OutputItem, toolIndex?: number): void {
    close(events);
    const index = output.push(item) - 1;
    open = { item, index, ...(toolIndex === undefined ? {} : { toolIndex }) };
    const added = structuredClone(item);
    if (added.type === 'message') added.content = [];
    events.push(event('response.output_item.added', { output_index: index, item: added }));
    if (item.type === 'message')
      events.push(
        event('response.content_part.added', {
          item_id: item.id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
        }),
      );
  }

  return {
    /** Events of one chat chunk (the first also opens the Response). */
    chunk(chunk: ChatCompletionChunk): ResponseStreamEvent[] {
      const events: ResponseStreamEvent[] = [];
      start(events, chunk.model);
      const choice = chunk.choices[0];
      if (!choice) return events;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const text = choice.delta.content;
      if (text) {
        if (open?.item.type !== 'message')
          openItem(events, {
            id: newId('msg'),
            type: 'message',
            role: 'assistant',
            status: 'in_progress',
            content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
          });
        const current = open!;
        const part = (current.item as Extract<OutputItem, { type: 'message' }>).content[0]!;
        part.text += text;
        events.push(
          event('response.output_text.delta', {
            item_id: current.item.id,
            output_index: current.index,
            content_index: 0,
            delta: text,
            logprobs: [],
          }),
        );
      }
      for (const delta of choice.delta.tool_calls ?? []) {
        if (open?.toolIndex !== delta.index)
          openItem(
            events,
            {
              id: newId('fc'),
              type: 'function_call',
              call_id: delta.id ?? newId('call'),
              name: delta.function?.name ?? '',
              arguments: '',
              status: 'in_progress',
            },
            delta.index,
          );
        const current = open!;
        const call = current.item as Extract<OutputItem, { type: 'function_call' }>;
        if (delta.function?.name && !call.name) call.name = delta.function.name;
        const argumentsDelta = delta.function?.arguments;
        if (argumentsDelta) {
          call.arguments += argumentsDelta;
          events.push(
            event('response.function_call_arguments.delta', {
              item_id: call.id,
              output_index: current.index,
              delta: argumentsDelta,
            }),
          );
        }
      }
      return events;
    },

    /** Closes open items and ends with `response.completed` (`response.incomplete` when cut by a limit). */
    complete(answeringModel: string, usage: ChatUsage | undefined) {
      const events: ResponseStreamEvent[] = [];
      start(events, answeringModel);
      close(events);
      model = answeringModel;
      const status = finalStatus(finishReason);
      const response: ResponseObject = {
        ...snapshot(status.status),
        ...status,
        usage: responseUsage(usage),
      };
      const type = status.status === 'completed' ? 'response.completed' : 'response.incomplete';
      events.push(event(type, { response }));
      return { events, response };
    },

    /** Ends a stream that broke after its headers: `response.failed` with the error, then the `error` event. */
    fail(error: { code: string | null; message: string; param: string | null }): ResponseStreamEvent[] {
      const events: ResponseStreamEvent[] = [];
      start(events, model);
      for (const item of output) if (item.status === 'in_progress') item.status = 'incomplete';
      open = undefined;
      const failed: ResponseObject = {
        ...snapshot('failed'),
        error: { code: error.code ?? 'server_error', message: error.message },
      };
      events.push(event('response.failed', { response: failed }));
      events.push(event('error', { code: error.code, message: error.message, param: error.param }));
      return events;
    },
  };
}
