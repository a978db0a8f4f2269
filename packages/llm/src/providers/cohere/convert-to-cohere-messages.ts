import type { ChatMessage, ChatRequest } from '../../chat-types.js';
import {
  contentToText,
  honouredFields,
  invalidRequest,
  rejectUnsupportedFields,
  unsupportedFeature,
} from '../shared/index.js';

const honoured = honouredFields('presence_penalty', 'frequency_penalty', 'seed');

/** A message of Cohere's v2 chat API. */
export type CohereMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | CohereUserContent[] }
  | { role: 'assistant'; content?: string; tool_calls?: CohereToolCall[]; tool_plan?: string }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A part of a user message (text, or an image for vision models). */
export type CohereUserContent =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** A tool call as Cohere sends and accepts it (OpenAI's shape: `arguments` is a JSON string). */
export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The body of `POST /v2/chat`. */
export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  stream: boolean;
  tools?: Array<{
    type: 'function';
    function: { name: string; description?: string; parameters: Record<string, unknown> };
  }>;
  tool_choice?: 'REQUIRED' | 'NONE';
  temperature?: number;
  p?: number;
  max_tokens?: number;
  stop_sequences?: string[];
  response_format?: { type: 'json_object'; json_schema?: Record<string, unknown> };
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

function convertUser(content: ChatMessage['content']): CohereMessage {
  if (typeof content === 'string' || content === null) return { role: 'user', content: content ?? '' };
  return {
    role: 'user',
    content: content.map((part) =>
      part.type === 'text'
        ? { type: 'text', text: part.text }
        : { type: 'image_url', image_url: { url: part.image_url.url } },
    ),
  };
}

/**
 * Converts an OpenAI chat request to a Cohere v2 chat body. Cohere speaks nearly the same message shape;
 * `tool_choice` is limited to REQUIRED/NONE (a named function is refused), `top_p` is `p`.
 */
export function convertToCohereRequest(
  request: ChatRequest,
  provider: string,
  model: string,
  stream: boolean,
): CohereChatRequest {
  rejectUnsupportedFields(request, honoured, provider);
  const choice = request.tool_choice;
  if (typeof choice === 'object')
    throw unsupportedFeature(provider, 'forcing one named tool (tool_choice function)');

  const messages: CohereMessage[] = request.messages.map((message): CohereMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentToText(message.content) };
      case 'user':
        return convertUser(message.content);
      case 'assistant': {
        const text = contentToText(message.content);
        const toolCalls = message.tool_calls?.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: call.function,
        }));
        return {
          role: 'assistant',
          ...(text === '' ? {} : { content: text }),
          ...(toolCalls && toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        };
      }
      case 'tool':
        if (!message.tool_call_id) throw invalidRequest(provider, 'a tool message needs tool_call_id');
        return { role: 'tool', tool_call_id: message.tool_call_id, content: contentToText(message.content) };
    }
  });

  const format = request.response_format;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return {
    model,
    messages,
    stream,
    ...(request.tools && request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function' as const,
            function: {
              name: tool.function.name,
              ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
              parameters: tool.function.parameters ?? { type: 'object', properties: {} },
            },
          })),
        }
      : {}),
    ...(choice === 'required'
      ? { tool_choice: 'REQUIRED' as const }
      : choice === 'none'
        ? { tool_choice: 'NONE' as const }
        : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.top_p === undefined ? {} : { p: request.top_p }),
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...(request.stop === undefined
      ? {}
      : { stop_sequences: Array.isArray(request.stop) ? request.stop : [request.stop] }),
    ...(format?.type === 'json_object' ? { response_format: { type: 'json_object' as const } } : {}),
    ...(format?.type === 'json_schema'
      ? {
          response_format: {
            type: 'json_object' as const,
            ...(format.json_schema.schema ? { json_schema: format.json_schema.schema } : {}),
          },
        }
      : {}),
    ...(typeof request.seed === 'number' ? { seed: request.seed } : {}),
    ...(typeof request.presence_penalty === 'number' ? { presence_penalty: request.presence_penalty } : {}),
    ...(typeof request.frequency_penalty === 'number'
      ? { frequency_penalty: request.frequency_penalty }
      : {}),
  };
}
