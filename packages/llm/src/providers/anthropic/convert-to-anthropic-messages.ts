import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages';

import type { ChatContentPart, ChatMessage, ChatRequest } from '../../chat-types.js';
import {
  contentToText,
  invalidRequest,
  parseDataUrl,
  parseToolArguments,
  rejectUnsupportedFields,
  unsupportedFeature,
} from '../shared/index.js';

/** Anthropic requires `max_tokens`; this is what we ask for when the caller sets none. */
export const defaultAnthropicMaxTokens = 4096;

const honouredFields: ReadonlySet<string> = new Set([
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
]);

const imageMediaTypes = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function convertImage(
  part: Extract<ChatContentPart, { type: 'image_url' }>,
  provider: string,
): ImageBlockParam {
  const dataUrl = parseDataUrl(part.image_url.url);
  if (!dataUrl) return { type: 'image', source: { type: 'url', url: part.image_url.url } };
  if (!imageMediaTypes.has(dataUrl.mediaType))
    throw unsupportedFeature(provider, `images of type ${dataUrl.mediaType}`);
  return {
    type: 'image',
    source: { type: 'base64', media_type: dataUrl.mediaType as 'image/png', data: dataUrl.data },
  };
}

function convertUserContent(content: ChatMessage['content'], provider: string): ContentBlockParam[] {
  if (content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.map((part) =>
    part.type === 'text' ? { type: 'text', text: part.text } : convertImage(part, provider),
  );
}

function convertAssistant(message: ChatMessage, provider: string): ContentBlockParam[] {
  if (Array.isArray(message.content) && message.content.some((part) => part.type !== 'text')) {
    throw invalidRequest(provider, 'assistant messages can only hold text');
  }
  const blocks: ContentBlockParam[] = [];
  const text = contentToText(message.content);
  if (text !== '') blocks.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, provider),
    });
  }
  return blocks;
}

/** Appends blocks to the conversation, merging with the previous turn when it has the same role (Anthropic alternates roles). */
function push(messages: MessageParam[], role: MessageParam['role'], blocks: ContentBlockParam[]): void {
  if (blocks.length === 0) return;
  const previous = messages.at(-1);
  if (previous?.role === role && Array.isArray(previous.content)) {
    previous.content.push(...blocks);
    return;
  }
  messages.push({ role, content: blocks });
}

function convertToolChoice(request: ChatRequest): ToolChoice | undefined {
  const disableParallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  const choice = request.tool_choice;
  if (choice === undefined)
    return request.parallel_tool_calls === false ? { type: 'auto', ...disableParallel } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disableParallel };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  return { type: 'tool', name: choice.function.name, ...disableParallel };
}

/**
 * Converts an OpenAI chat request to Anthropic Messages parameters. System and developer messages become
 * the `system` prompt, tool results become `tool_result` blocks of a user turn, and a trailing assistant
 * message stays last so Anthropic continues it (prefill).
 */
export function convertToAnthropicRequest(
  request: ChatRequest,
  provider: string,
  model: string,
): MessageCreateParamsBase {
  rejectUnsupportedFields(request, honouredFields, provider);
  if (request.response_format && request.response_format.type !== 'text') {
    throw unsupportedFeature(provider, `response_format ${request.response_format.type}`);
  }
  if (request.temperature !== undefined && request.temperature > 1) {
    throw unsupportedFeature(provider, 'a temperature above 1');
  }

  const system: string[] = [];
  const messages: MessageParam[] = [];
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(contentToText(message.content));
        break;
      case 'user':
        push(messages, 'user', convertUserContent(message.content, provider));
        break;
      case 'assistant':
        push(messages, 'assistant', convertAssistant(message, provider));
        break;
      case 'tool':
        if (!message.tool_call_id) throw invalidRequest(provider, 'a tool message needs tool_call_id');
        push(messages, 'user', [
          { type: 'tool_result', tool_use_id: message.tool_call_id, content: contentToText(message.content) },
        ]);
        break;
    }
  }
  // Anthropic rejects a prefill ending in whitespace; the continuation supplies it instead.
  const last = messages.at(-1);
  if (last?.role === 'assistant' && Array.isArray(last.content)) {
    const finalBlock = last.content.at(-1);
    if (finalBlock?.type === 'text') finalBlock.text = finalBlock.text.trimEnd();
  }

  const tools: Tool[] | undefined = request.tools?.map((tool) => ({
    name: tool.function.name,
    ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
    input_schema: (tool.function.parameters ?? { type: 'object', properties: {} }) as Tool['input_schema'],
  }));
  const toolChoice = convertToolChoice(request);
  const stop =
    request.stop === undefined ? undefined : Array.isArray(request.stop) ? request.stop : [request.stop];

  return {
    model,
    messages,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? defaultAnthropicMaxTokens,
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { top_p: request.top_p }),
    ...(stop === undefined ? {} : { stop_sequences: stop }),
    ...(tools === undefined ? {} : { tools }),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(request.user === undefined ? {} : { metadata: { user_id: request.user } }),
  };
}
