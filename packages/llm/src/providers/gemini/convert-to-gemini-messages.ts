import {
  FunctionCallingMode,
  type Content,
  type GenerateContentRequest,
  type GenerationConfig,
  type Part,
  type Tool,
  type ToolConfig,
} from '@google/generative-ai';

import type { ChatContentPart, ChatMessage, ChatRequest } from '../../chat-types.js';
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

const honoured = honouredFields('presence_penalty', 'frequency_penalty', 'seed');

/**
 * Current v1beta fields the 0.24 SDK does not type yet: `seed`, and JSON Schema (rather than Gemini's OpenAPI
 * subset) for structured output and tool parameters. The SDK serialises the request as given.
 */
type GeminiGenerationConfig = GenerationConfig & {
  seed?: number;
  responseJsonSchema?: Record<string, unknown>;
};
type GeminiFunctionDeclaration = {
  name: string;
  description?: string;
  parametersJsonSchema?: Record<string, unknown>;
};

/** The Gemini request for an OpenAI chat request. */
export type GeminiRequest = Omit<GenerateContentRequest, 'generationConfig' | 'tools'> & {
  generationConfig?: GeminiGenerationConfig;
  tools?: Array<Tool | { functionDeclarations: GeminiFunctionDeclaration[] }>;
};

function convertPart(part: ChatContentPart, provider: string): Part {
  if (part.type === 'text') return { text: part.text };
  const dataUrl = parseDataUrl(part.image_url.url);
  // Gemini only reads remote files it hosts (fileData URIs); arbitrary image URLs cannot be passed on.
  if (!dataUrl) throw unsupportedFeature(provider, 'image URLs other than base64 data URLs');
  return { inlineData: { mimeType: dataUrl.mediaType, data: dataUrl.data } };
}

/** A tool result as Gemini's `functionResponse.response`, which must be a JSON object. */
function toolResponse(content: ChatMessage['content']): object {
  const text = contentToText(content);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // plain text results are wrapped below
  }
  return { content: text };
}

/**
 * Gemini's parts: tool calls are `functionCall` parts, tool results `functionResponse` parts named after the
 * call they answer (Gemini matches them by function name, OpenAI by id, so the name comes from the call).
 */
function partWriter(provider: string): TurnBlockWriter<Part> {
  const toolNames = new Map<string, string>();
  return {
    userPart: (part) => convertPart(part, provider),
    assistantText: (text) => ({ text }),
    toolCall: (call, args) => {
      toolNames.set(call.id, call.function.name);
      return { functionCall: { name: call.function.name, args } };
    },
    toolResult: (message) => {
      const name = message.tool_call_id ? toolNames.get(message.tool_call_id) : undefined;
      if (!name)
        throw invalidRequest(
          provider,
          'a tool message must answer a tool call of an earlier assistant message',
        );
      return { functionResponse: { name, response: toolResponse(message.content) } };
    },
  };
}

function convertToolConfig(request: ChatRequest): ToolConfig | undefined {
  const choice = request.tool_choice;
  if (choice === undefined) return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: FunctionCallingMode.NONE } };
  if (choice === 'auto') return { functionCallingConfig: { mode: FunctionCallingMode.AUTO } };
  if (choice === 'required') return { functionCallingConfig: { mode: FunctionCallingMode.ANY } };
  return {
    functionCallingConfig: { mode: FunctionCallingMode.ANY, allowedFunctionNames: [choice.function.name] },
  };
}

function convertGenerationConfig(request: ChatRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.stop !== undefined)
    config.stopSequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (typeof request.presence_penalty === 'number') config.presencePenalty = request.presence_penalty;
  if (typeof request.frequency_penalty === 'number') config.frequencyPenalty = request.frequency_penalty;
  if (typeof request.seed === 'number') config.seed = request.seed;
  const format = request.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  return config;
}

/**
 * Converts an OpenAI chat request to a Gemini `generateContent` request: system and developer messages become
 * `systemInstruction`, assistant turns `model` turns (tool calls as `functionCall` parts), tool results
 * `functionResponse` parts named after the call they answer. A trailing assistant message stays last: Gemini continues it.
 */
export function convertToGeminiRequest(request: ChatRequest, provider: string): GeminiRequest {
  rejectUnsupportedFields(request, honoured, provider);
  const { system, turns } = toAlternatingTurns(request.messages, provider, partWriter(provider));
  const contents: Content[] = turns.map((turn) => ({
    role: turn.role === 'assistant' ? 'model' : 'user',
    parts: turn.blocks,
  }));

  const generationConfig = convertGenerationConfig(request);
  const toolConfig = convertToolConfig(request);
  return {
    contents,
    ...(system === undefined ? {} : { systemInstruction: { role: 'system', parts: [{ text: system }] } }),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
    ...(request.tools && request.tools.length > 0
      ? {
          tools: [
            {
              functionDeclarations: request.tools.map((tool) => ({
                name: tool.function.name,
                ...(tool.function.description === undefined
                  ? {}
                  : { description: tool.function.description }),
                ...(tool.function.parameters === undefined
                  ? {}
                  : { parametersJsonSchema: tool.function.parameters }),
              })),
            },
          ],
        }
      : {}),
    ...(toolConfig ? { toolConfig } : {}),
  };
}
