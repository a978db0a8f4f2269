import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageCreateParamsBase,
  MessageParam,
  Tool,
  ToolChoice,
} from '@anthropic-ai/sdk/resources/messages';

import type { ChatContentPart, ChatRequest } from '../../chat-types.js';
import {
  contentToText,
  honouredFields,
  invalidRequest,
  parseDataUrl,
  rejectUnsupportedFields,
  toAlternatingTurns,
  unsupportedFeature,
  type TurnBlockWriter,
} from '../shared/index.js';

/** Anthropic requires `max_tokens`; this is what we ask for when the caller sets none. */
export const defaultAnthropicMaxTokens = 4096;

const honoured = honouredFields('parallel_tool_calls');

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

/** Anthropic's blocks: tool results are `tool_result` blocks of a user turn. */
function blockWriter(provider: string): TurnBlockWriter<ContentBlockParam> {
  return {
    userPart: (part) =>
      part.type === 'text' ? { type: 'text', text: part.text } : convertImage(part, provider),
    assistantText: (text) => ({ type: 'text', text }),
    toolCall: (call, input) => ({ type: 'tool_use', id: call.id, name: call.function.name, input }),
    toolResult: (message) => {
      if (!message.tool_call_id) throw invalidRequest(provider, 'a tool message needs tool_call_id');
      return {
        type: 'tool_result',
        tool_use_id: message.tool_call_id,
        content: contentToText(message.content),
      };
    },
  };
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
  rejectUnsupportedFields(request, honoured, provider);
  if (request.response_format && request.response_format.type !== 'text') {
    throw unsupportedFeature(provider, `response_format ${request.response_format.type}`);
  }
  if (request.temperature !== undefined && request.temperature > 1) {
    throw unsupportedFeature(provider, 'a temperature above 1');
  }

  const { system, turns } = toAlternatingTurns(request.messages, provider, blockWriter(provider));
  const messages: MessageParam[] = turns.map((turn) => ({ role: turn.role, content: turn.blocks }));
  // Anthropic rejects a prefill ending in whitespace; the continuation supplies it instead.
  const last = turns.at(-1);
  if (last?.role === 'assistant') {
    const finalBlock = last.blocks.at(-1);
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
    ...(system === undefined ? {} : { system }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { top_p: request.top_p }),
    ...(stop === undefined ? {} : { stop_sequences: stop }),
    ...(tools === undefined ? {} : { tools }),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(request.user === undefined ? {} : { metadata: { user_id: request.user } }),
  };
}
