import { randomUUID } from 'node:crypto';

import { GoogleGenerativeAI, type GenerateContentResponse } from '@google/generative-ai';

import type { ChatProvider, ProviderCallOptions } from '../../chat-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ChatToolCall,
  ChatUsage,
} from '../../chat-types.js';
import {
  ChatCompletionChunkBuilder,
  contextWindowByPrefix,
  estimatedUsage,
  linkAbortSignal,
  providerError,
  toChatCompletion,
  unfinishedStreamError,
  type ProviderOptions,
} from '../shared/index.js';
import { convertToGeminiRequest } from './convert-to-gemini-messages.js';
import { recordingFetch, withFetch } from './gemini-fetch.js';
import { geminiApiError, toGeminiLlmError, type GeminiErrorBody } from './gemini-error.js';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.js';

/** Options of `createGeminiProvider`. */
export interface GeminiProviderOptions extends ProviderOptions {
  /** Defaults to `https://generativelanguage.googleapis.com` (the SDK appends `/v1beta/models/...`). */
  baseUrl?: string;
}

/** Longest prefix first: `gemini-1.5-pro` has a larger window than the other 1.5 models. */
const contextWindow = contextWindowByPrefix([
  ['gemini-1.5-pro', 2_097_152],
  ['gemini-1.0-pro', 32_760],
  ['gemini-pro', 32_760],
  ['gemini-1.5', 1_048_576],
  ['gemini-2', 1_048_576],
  ['gemini-3', 1_048_576],
]);

/** Response fields of current v1beta the 0.24 SDK does not type: thinking tokens, the response id, an in-band error. */
type GeminiResponse = GenerateContentResponse & {
  responseId?: string;
  modelVersion?: string;
  usageMetadata?: GenerateContentResponse['usageMetadata'] & { thoughtsTokenCount?: number };
  error?: GeminiErrorBody;
};

/** Gemini counts cached and thinking tokens inside its totals; OpenAI counts thinking as completion. */
function toChatUsage(metadata: NonNullable<GeminiResponse['usageMetadata']>): ChatUsage {
  const promptTokens = metadata.promptTokenCount ?? 0;
  const completionTokens = (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: metadata.totalTokenCount ?? promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: metadata.cachedContentTokenCount ?? 0 },
  };
}

function toolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

/** Throws for what Gemini reports inside a 200: an error object, or a prompt it blocked (naming its reason). */
function throwIfFailed(response: GeminiResponse, provider: string): void {
  if (response.error) throw geminiApiError(provider, response.error);
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) throw providerError(provider, 'content_filter', { reason: blockReason });
}

/** Text and tool calls of the first candidate; thought summaries are not part of the answer. */
function readParts(response: GeminiResponse): { text: string; toolCalls: ChatToolCall[] } {
  let text = '';
  const toolCalls: ChatToolCall[] = [];
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if ((part as { thought?: boolean }).thought) continue;
    if (typeof part.text === 'string') text += part.text;
    if (part.functionCall) {
      const id = (part.functionCall as { id?: string }).id ?? toolCallId();
      toolCalls.push({
        id,
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    }
  }
  return { text, toolCalls };
}

/** Creates the Gemini adapter: `generateContent` / `streamGenerateContent?alt=sse` through `@google/generative-ai`. */
export function createGeminiProvider(options: GeminiProviderOptions): ChatProvider {
  const name = options.name ?? 'gemini';
  const genAI = new GoogleGenerativeAI(options.apiKey);
  const requestOptions = options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {};
  const baseFetch = options.fetch ?? globalThis.fetch;

  function model(modelId: string) {
    return genAI.getGenerativeModel({ model: modelId }, requestOptions);
  }

  async function chat(request: ChatRequest, callOptions: ProviderCallOptions): Promise<ChatCompletion> {
    const geminiRequest = convertToGeminiRequest(request, name);
    const recorder = recordingFetch(baseFetch);
    // The SDK never removes the listener it adds to the signal it is given: give it one that lives for this call only.
    const { controller, unlink } = linkAbortSignal(callOptions.signal);
    let response: GeminiResponse;
    try {
      const result = await withFetch(recorder.fetch, () =>
        model(callOptions.model).generateContent(geminiRequest, { signal: controller.signal }),
      );
      response = result.response;
    } catch (error) {
      throw toGeminiLlmError(error, name, callOptions.signal, recorder.headers(), request);
    } finally {
      unlink();
    }
    throwIfFailed(response, name);
    const { text, toolCalls } = readParts(response);
    const geminiReason = response.candidates?.[0]?.finishReason;
    const finishReason = mapGeminiFinishReason(geminiReason, toolCalls.length > 0);
    if (finishReason === 'content_filter' && text === '' && toolCalls.length === 0)
      throw providerError(name, 'content_filter', { reason: geminiReason });
    return toChatCompletion({
      id: response.responseId ?? `gemini-${randomUUID()}`,
      model: response.modelVersion ?? callOptions.model,
      text,
      toolCalls,
      finishReason,
      usage: response.usageMetadata
        ? toChatUsage(response.usageMetadata)
        : estimatedUsage(request, text + toolCalls.map((call) => call.function.arguments).join('')),
    });
  }

  async function* chatStream(
    request: ChatRequest,
    callOptions: ProviderCallOptions,
  ): AsyncGenerator<ChatCompletionChunk> {
    const geminiRequest = convertToGeminiRequest(request, name);
    const recorder = recordingFetch(baseFetch);
    // Our own controller: leaving the loop early must cancel the HTTP body the SDK keeps reading for its aggregate.
    const { controller, unlink } = linkAbortSignal(callOptions.signal);
    try {
      let result;
      try {
        result = await withFetch(recorder.fetch, () =>
          model(callOptions.model).generateContentStream(geminiRequest, { signal: controller.signal }),
        );
      } catch (error) {
        throw toGeminiLlmError(error, name, callOptions.signal, recorder.headers(), request);
      }
      // The SDK's aggregate promise rejects with the stream; we never read it, so it must not become unhandled.
      result.response.catch(() => undefined);

      const chunks = new ChatCompletionChunkBuilder(`gemini-${randomUUID()}`, callOptions.model);
      let usage: ChatUsage | undefined;
      let streamedText = '';
      let finishReason: string | undefined;
      let toolCallCount = 0;

      try {
        for await (const item of result.stream) {
          const response = item as GeminiResponse;
          throwIfFailed(response, name);
          if (response.responseId) chunks.id = response.responseId;
          if (response.modelVersion) chunks.model = response.modelVersion;
          if (response.usageMetadata) usage = toChatUsage(response.usageMetadata);
          const { text, toolCalls } = readParts(response);
          streamedText += text + toolCalls.map((call) => call.function.arguments).join('');
          if (text !== '') yield chunks.chunk({ content: text });
          for (const call of toolCalls) {
            yield chunks.chunk({
              tool_calls: [{ index: toolCallCount, id: call.id, type: 'function', function: call.function }],
            });
            toolCallCount += 1;
          }
          const reason = response.candidates?.[0]?.finishReason;
          if (reason) finishReason = reason;
        }
      } catch (error) {
        throw toGeminiLlmError(error, name, callOptions.signal, recorder.headers());
      }
      // Gemini has no terminator event: a stream that closes without a finish reason was cut.
      if (finishReason === undefined) throw unfinishedStreamError(name, callOptions.signal);
      const finish = mapGeminiFinishReason(finishReason, toolCallCount > 0);
      if (finish === 'content_filter' && !chunks.emitted)
        throw providerError(name, 'content_filter', { reason: finishReason });
      yield chunks.chunk({}, finish, usage ?? estimatedUsage(request, streamedText));
    } finally {
      unlink();
      controller.abort();
    }
  }

  return {
    id: 'gemini',
    name,
    supportsPrefill: true,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    contextWindow,
    chat,
    chatStream,
  };
}
