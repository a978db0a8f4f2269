import type {
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ChatResponseFormat,
  ChatTool,
  ChatToolChoice,
} from '@switchyard/llm';
import { InvalidValueError, withParam } from '../../errors.js';
import { chatInputLimits } from '../../schemas/chat-completions.js';

/** A `POST /v1/responses` body as the route schema admits it; items are checked here, field by field. */
export interface ResponsesRequest {
  model: string;
  input?: unknown;
  instructions?: string | null | undefined;
  tools?: unknown[] | null | undefined;
  tool_choice?: unknown;
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  max_output_tokens?: number | null | undefined;
  metadata?: Record<string, string> | null | undefined;
  store?: boolean | null | undefined;
  previous_response_id?: string | null | undefined;
  stream?: boolean | null | undefined;
  parallel_tool_calls?: boolean | null | undefined;
  text?: { format?: Record<string, unknown>; [extra: string]: unknown } | null | undefined;
  user?: string | null | undefined;
  [extra: string]: unknown;
}

/** A text part of a message item: `input_text` from the user side, `output_text` from the assistant. */
export interface TextPart {
  type: 'input_text' | 'output_text';
  text: string;
  annotations?: unknown[];
}

/** An image part (`input_image` with a URL, which every chat provider that reads images takes as `image_url`). */
export interface ImagePart {
  type: 'input_image';
  image_url: string;
  detail: 'auto' | 'low' | 'high';
}

/** A conversation item in the shape `GET /v1/responses/:id/input_items` lists it. */
export type ConversationItem =
  | {
      id: string;
      type: 'message';
      role: 'user' | 'assistant' | 'system' | 'developer';
      content: Array<TextPart | ImagePart>;
      status: 'completed';
    }
  | {
      id: string;
      type: 'function_call';
      call_id: string;
      name: string;
      arguments: string;
      status: 'completed';
    }
  | { id: string; type: 'function_call_output'; call_id: string; output: string; status: 'completed' };

/** A request field, value or tool the gateway cannot honour, and the capability gap it is counted under. */
export interface UnsupportedFeature {
  param: string;
  capability: string;
}

/**
 * Fields we honour (translated into the chat request or echoed in the Response), and hints that change nothing a
 * caller could observe from a chat provider (`safety_identifier`, `prompt_cache_key`: abuse and cache hints).
 */
const knownFields = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'max_output_tokens',
  'metadata',
  'store',
  'previous_response_id',
  'stream',
  'parallel_tool_calls',
  'text',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'truncation',
  'service_tier',
  'stream_options',
]);

/** OpenAI features without a chat equivalent, counted by name; any other unknown field counts as one gap. */
const knownUnsupportedFields = new Set([
  'background',
  'context_management',
  'conversation',
  'include',
  'max_tool_calls',
  'moderation',
  'prompt',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning',
  'top_logprobs',
]);

/** OpenAI's built-in tool types, counted by name; any other non-function type counts as one gap. */
const builtInTools = new Set([
  'web_search',
  'web_search_preview',
  'file_search',
  'computer_use',
  'computer_use_preview',
  'code_interpreter',
  'image_generation',
  'mcp',
  'local_shell',
  'shell',
  'custom',
  'apply_patch',
]);

/** A built-in tool's type without its version date (`web_search_preview_2025_03_11`), or `unknown`. */
function builtInToolName(type: unknown): string {
  const name = typeof type === 'string' ? type.replace(/_\d{4}_\d{2}_\d{2}$/, '') : '';
  return builtInTools.has(name) ? name : 'unknown';
}

const isSet = (value: unknown) => value !== undefined && value !== null;

/** A caller's `type` value as messages and capability names show it: short, whatever it was. */
const typeName = (value: unknown): string =>
  (typeof value === 'string' ? value : (JSON.stringify(value) ?? typeof value)).slice(0, 60);

/**
 * Everything in a request we cannot honour: built-in tools (`web_search`, `file_search`, `mcp`, ...), features
 * chat providers have no equivalent for (`background`, `reasoning`, `include`, `conversation`, `prompt`, ...) and
 * values outside what we translate. The route answers 400 `unsupported_parameter` naming them, never drops them.
 */
export function unsupportedFeatures(body: ResponsesRequest): UnsupportedFeature[] {
  const found: UnsupportedFeature[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (knownFields.has(field) || !isSet(value)) continue;
    // `false`, `[]` and `{}` (or an object of nulls) ask for nothing; the SDKs send some of them by default.
    if (value === false || (Array.isArray(value) && value.length === 0)) continue;
    if (typeof value === 'object' && !Array.isArray(value) && !Object.values(value).some(isSet)) continue;
    // Field names come from callers: only known ones become their own capability-gap row.
    const capability = knownUnsupportedFields.has(field) ? field : 'unknown_parameter';
    found.push({ param: field.slice(0, 100), capability: `responses:${capability}` });
  }
  (body.tools ?? []).forEach((tool, index) => {
    const type = (tool as { type?: unknown } | null)?.type;
    if (type !== 'function')
      found.push({ param: `tools[${index}]`, capability: `responses:tool:${builtInToolName(type)}` });
  });
  const choice = body.tool_choice;
  if (isSet(choice) && typeof choice === 'object' && (choice as { type?: unknown }).type !== 'function')
    found.push({ param: 'tool_choice', capability: 'responses:tool_choice' });
  if (isSet(body.truncation) && body.truncation !== 'disabled')
    found.push({ param: 'truncation', capability: 'responses:truncation' });
  if (isSet(body.service_tier) && body.service_tier !== 'auto' && body.service_tier !== 'default')
    found.push({ param: 'service_tier', capability: 'responses:service_tier' });
  const text = body.text ?? {};
  for (const key of Object.keys(text))
    if (key !== 'format' && isSet(text[key]))
      found.push({ param: `text.${key}`, capability: `responses:text.${key}` });
  const format = text.format?.type;
  if (isSet(format) && format !== 'text' && format !== 'json_object' && format !== 'json_schema')
    found.push({ param: 'text.format', capability: 'responses:text.format' });
  return found;
}

const invalid = (param: string, message: string) => withParam(new InvalidValueError(message), param);

function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(param, `\`${param}\` must be a string.`);
  return value;
}

const messageRoles = new Set(['user', 'assistant', 'system', 'developer']);

function messageContent(content: unknown, role: string, param: string): Array<TextPart | ImagePart> {
  const textType = role === 'assistant' ? 'output_text' : 'input_text';
  if (typeof content === 'string') return [{ type: textType, text: content }];
  if (!Array.isArray(content))
    throw invalid(param, `\`${param}\` must be a string or an array of content parts.`);
  return content.map((part: unknown, index): TextPart | ImagePart => {
    const partParam = `${param}[${index}]`;
    const candidate = (part ?? {}) as Record<string, unknown>;
    if (candidate.type === 'input_text' || candidate.type === 'output_text' || candidate.type === 'text')
      return { type: textType, text: requireString(candidate.text, `${partParam}.text`) };
    if (candidate.type === 'input_image' && typeof candidate.image_url === 'string') {
      const detail = candidate.detail === 'low' || candidate.detail === 'high' ? candidate.detail : 'auto';
      return { type: 'input_image', image_url: candidate.image_url, detail };
    }
    throw withParam(
      new InvalidValueError(
        `\`${partParam}\` has type \`${typeName(candidate.type)}\`; this gateway takes input_text, output_text and input_image (by URL) parts.`,
      ),
      partParam,
    );
  });
}

/**
 * `input` as conversation items with ids (`newId(prefix)` makes them): a string is one user message; items are
 * messages (`type: "message"` or a bare `role`/`content`), `function_call` and `function_call_output`.
 * Anything else is a 400 naming the item.
 */
export function normalizeInput(input: unknown, newId: (prefix: string) => string): ConversationItem[] {
  if (input === undefined || input === null) return [];
  if (typeof input !== 'string' && !Array.isArray(input))
    throw invalid('input', '`input` must be a string or an array of items.');
  if (Array.isArray(input) && input.length > chatInputLimits.messages)
    throw invalid('input', `\`input\` may hold at most ${chatInputLimits.messages} items.`);
  if (typeof input === 'string')
    return [
      {
        id: newId('msg'),
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: input }],
        status: 'completed',
      },
    ];
  return input.map((raw, index): ConversationItem => {
    const param = `input[${index}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      throw invalid(param, `\`${param}\` must be an object.`);
    const item = raw as Record<string, unknown>;
    const id = typeof item.id === 'string' && item.id.length > 0 ? item.id : undefined;
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role;
      if (typeof role !== 'string' || !messageRoles.has(role))
        throw invalid(
          `${param}.role`,
          `\`${param}.role\` must be one of: user, assistant, system, developer.`,
        );
      return {
        id: id ?? newId('msg'),
        type: 'message',
        role: role as 'user' | 'assistant' | 'system' | 'developer',
        content: messageContent(item.content, role, `${param}.content`),
        status: 'completed',
      };
    }
    if (type === 'function_call')
      return {
        id: id ?? newId('fc'),
        type: 'function_call',
        call_id: requireString(item.call_id, `${param}.call_id`),
        name: requireString(item.name, `${param}.name`),
        arguments: requireString(item.arguments, `${param}.arguments`),
        status: 'completed',
      };
    if (type === 'function_call_output') {
      const output = item.output;
      const text = Array.isArray(output)
        ? messageContent(output, 'user', `${param}.output`)
            .map((part) => (part.type === 'input_image' ? '' : part.text))
            .join('')
        : requireString(output, `${param}.output`);
      return {
        id: id ?? newId('fco'),
        type: 'function_call_output',
        call_id: requireString(item.call_id, `${param}.call_id`),
        output: text,
        status: 'completed',
      };
    }
    throw withParam(
      new InvalidValueError(
        `\`${param}\` has type \`${typeName(type)}\`; this gateway takes message, function_call and function_call_output items.`,
      ),
      param,
    );
  });
}

function chatContent(item: Extract<ConversationItem, { type: 'message' }>): string | ChatContentPart[] {
  if (item.content.every((part) => part.type !== 'input_image'))
    return item.content.map((part) => part.text).join('');
  return item.content.map((part): ChatContentPart =>
    part.type === 'input_image'
      ? { type: 'image_url', image_url: { url: part.image_url, detail: part.detail } }
      : { type: 'text', text: part.text },
  );
}

/** Conversation items as chat messages: a model turn's text and function calls become one assistant message. */
export function toChatMessages(instructions: string | undefined, items: ConversationItem[]): ChatMessage[] {
  const messages: ChatMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
  for (const item of items) {
    const previous = messages.at(-1);
    if (item.type === 'message') {
      messages.push({ role: item.role, content: chatContent(item) });
    } else if (item.type === 'function_call') {
      const call = {
        id: item.call_id,
        type: 'function' as const,
        function: { name: item.name, arguments: item.arguments },
      };
      if (previous?.role === 'assistant') previous.tool_calls = [...(previous.tool_calls ?? []), call];
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
    }
  }
  return messages;
}

function chatTools(tools: unknown[]): ChatTool[] {
  return tools.map((raw, index) => {
    const tool = raw as Record<string, unknown>;
    const name = requireString(tool.name, `tools[${index}].name`);
    return {
      type: 'function',
      function: {
        name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        ...(tool.parameters && typeof tool.parameters === 'object'
          ? { parameters: tool.parameters as Record<string, unknown> }
          : {}),
        ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
      },
    };
  });
}

function chatToolChoice(choice: unknown): ChatToolChoice | undefined {
  if (!isSet(choice)) return undefined;
  if (typeof choice === 'string') {
    if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
    throw invalid('tool_choice', '`tool_choice` must be one of: none, auto, required, or a function.');
  }
  if (typeof choice !== 'object')
    throw invalid('tool_choice', '`tool_choice` must be a string or an object.');
  const name = requireString((choice as { name?: unknown }).name, 'tool_choice.name');
  return { type: 'function', function: { name } };
}

function chatResponseFormat(format: Record<string, unknown> | undefined): ChatResponseFormat | undefined {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return undefined;
  return {
    type: 'json_schema',
    json_schema: {
      name: requireString(format.name, 'text.format.name'),
      ...(format.schema && typeof format.schema === 'object'
        ? { schema: format.schema as Record<string, unknown> }
        : {}),
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    },
  };
}

/**
 * The one chat request a Responses request becomes: instructions as the system message, then the context items
 * (inherited through `previous_response_id`, then this request's input), function tools and sampling settings.
 * Every provider and failover rule of the llm client then applies to it unchanged.
 */
export function toChatRequest(body: ResponsesRequest, items: ConversationItem[]): ChatRequest {
  if (items.length === 0)
    throw invalid('input', '`input` must hold at least one item (or continue with `previous_response_id`).');
  const messages = toChatMessages(body.instructions ?? undefined, items);
  const tools = body.tools && body.tools.length > 0 ? chatTools(body.tools) : undefined;
  const toolChoice = chatToolChoice(body.tool_choice);
  const responseFormat = chatResponseFormat(body.text?.format);
  return {
    model: body.model,
    messages,
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(isSet(body.temperature) ? { temperature: body.temperature } : {}),
    ...(isSet(body.top_p) ? { top_p: body.top_p } : {}),
    ...(isSet(body.max_output_tokens) ? { max_tokens: body.max_output_tokens } : {}),
    ...(body.parallel_tool_calls === false ? { parallel_tool_calls: false } : {}),
    ...(responseFormat ? { response_format: responseFormat } : {}),
    ...(isSet(body.user) ? { user: body.user } : {}),
    stream: body.stream === true,
  };
}
