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
  reportRateLimit,
  toChatCompletion,
  truncatedStreamError,
  type ProviderOptions,
} from '../shared/index.js';
import { SseReader } from '../../sse-reader.js';
import { cohereHttpError, cohereStreamError, toCohereLlmError } from './cohere-error.js';
import { convertToCohereRequest, type CohereToolCall } from './convert-to-cohere-messages.js';
import { mapCohereFinishReason } from './map-cohere-finish-reason.js';

/** Options of `createCohereProvider`. */
export interface CohereProviderOptions extends ProviderOptions {
  /** Defaults to `https://api.cohere.com`; the adapter appends `/v2/chat`. */
  baseUrl?: string;
}

const contextWindow = contextWindowByPrefix([
  ['command-a-vision', 128_000],
  ['command-a', 256_000],
  ['command-r', 128_000],
  ['command-light', 4_096],
  ['command', 4_096],
]);

interface CohereUsage {
  billed_units?: { input_tokens?: number; output_tokens?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  cached_tokens?: number;
}

interface CohereChatResponse {
  id: string;
  finish_reason?: string;
  message?: { content?: Array<{ type: string; text?: string }>; tool_calls?: CohereToolCall[] };
  usage?: CohereUsage;
}

/** One event of Cohere's v2 chat stream (`data` of each SSE frame, tagged by `type`). */
interface CohereStreamEvent {
  type: string;
  id?: string;
  index?: number;
  delta?: {
    message?: {
      content?: { text?: string };
      tool_calls?: { id?: string; function?: { name?: string; arguments?: string } };
    };
    finish_reason?: string;
    usage?: CohereUsage;
  };
}

/** `tokens` are what the model saw; `billed_units` omit system framing. Cached tokens are part of the input. */
function toChatUsage(
  usage: CohereUsage | undefined,
  request: ChatRequest,
  completionText: string,
): ChatUsage {
  const promptTokens = usage?.tokens?.input_tokens ?? usage?.billed_units?.input_tokens;
  const completionTokens = usage?.tokens?.output_tokens ?? usage?.billed_units?.output_tokens;
  if (promptTokens === undefined || completionTokens === undefined)
    return estimatedUsage(request, completionText);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: usage?.cached_tokens ?? 0 },
  };
}

function isFailure(finishReason: string | undefined): finishReason is 'ERROR' | 'TIMEOUT' {
  return finishReason === 'ERROR' || finishReason === 'TIMEOUT';
}

/** Creates the Cohere adapter: the v2 chat API (`POST /v2/chat`, JSON and SSE) over our fetch. */
export function createCohereProvider(options: CohereProviderOptions): ChatProvider {
  const name = options.name ?? 'cohere';
  const base = (options.baseUrl ?? 'https://api.cohere.com').replace(/\/+$/, '').replace(/\/v2$/, '');
  const url = `${base}/v2/chat`;
  const fetchImplementation = options.fetch ?? globalThis.fetch;

  /** Sends the request; returns the 2xx response or throws the classified error. */
  async function send(
    request: ChatRequest,
    callOptions: ProviderCallOptions,
    stream: boolean,
    signal: AbortSignal,
  ): Promise<Response> {
    let response: Response;
    try {
      const body = convertToCohereRequest(request, name, callOptions.model, stream);
      response = await fetchImplementation(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/json',
          accept: stream ? 'text/event-stream' : 'application/json',
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw toCohereLlmError(error, name, callOptions.signal, request);
    }
    reportRateLimit(response.headers, callOptions);
    if (!response.ok) {
      let errorBody: unknown;
      try {
        errorBody = await response.json();
      } catch {
        errorBody = undefined;
      }
      throw cohereHttpError(name, response.status, response.headers, errorBody);
    }
    return response;
  }

  async function chat(request: ChatRequest, callOptions: ProviderCallOptions): Promise<ChatCompletion> {
    const response = await send(request, callOptions, false, callOptions.signal);
    let data: CohereChatResponse;
    try {
      data = (await response.json()) as CohereChatResponse;
    } catch (error) {
      throw toCohereLlmError(error, name, callOptions.signal);
    }
    if (isFailure(data.finish_reason)) throw cohereStreamError(name, data.finish_reason);
    const text = (data.message?.content ?? [])
      .map((part) => (part.type === 'text' ? (part.text ?? '') : ''))
      .join('');
    const toolCalls: ChatToolCall[] = (data.message?.tool_calls ?? []).map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
    }));
    return toChatCompletion({
      id: data.id,
      model: callOptions.model,
      text,
      toolCalls,
      finishReason: mapCohereFinishReason(data.finish_reason),
      usage: toChatUsage(
        data.usage,
        request,
        text + toolCalls.map((call) => call.function.arguments).join(''),
      ),
    });
  }

  async function* chatStream(
    request: ChatRequest,
    callOptions: ProviderCallOptions,
  ): AsyncGenerator<ChatCompletionChunk> {
    // Our own controller: leaving the loop early must also cancel the HTTP body.
    const { controller, unlink } = linkAbortSignal(callOptions.signal);
    try {
      const response = await send(request, callOptions, true, controller.signal);
      if (!response.body) throw truncatedStreamError(name);
      const chunks = new ChatCompletionChunkBuilder('', callOptions.model);
      let finished = false;
      let streamedText = '';
      const toolIndexes = new Map<number, number>();

      try {
        for await (const message of new SseReader(response.body)) {
          const event = JSON.parse(message.data) as CohereStreamEvent;
          switch (event.type) {
            case 'message-start':
              chunks.id = event.id ?? chunks.id;
              break;
            case 'content-delta': {
              const text = event.delta?.message?.content?.text;
              if (!text) break;
              streamedText += text;
              yield chunks.chunk({ content: text });
              break;
            }
            case 'tool-call-start': {
              const call = event.delta?.message?.tool_calls;
              const index = toolIndexes.size;
              toolIndexes.set(event.index ?? index, index);
              yield chunks.chunk({
                tool_calls: [
                  {
                    index,
                    ...(call?.id ? { id: call.id } : {}),
                    type: 'function',
                    function: {
                      name: call?.function?.name ?? '',
                      arguments: call?.function?.arguments ?? '',
                    },
                  },
                ],
              });
              break;
            }
            case 'tool-call-delta': {
              const argumentsDelta = event.delta?.message?.tool_calls?.function?.arguments;
              const index = toolIndexes.get(event.index ?? 0);
              if (argumentsDelta) streamedText += argumentsDelta;
              if (argumentsDelta && index !== undefined)
                yield chunks.chunk({ tool_calls: [{ index, function: { arguments: argumentsDelta } }] });
              break;
            }
            case 'message-end': {
              const finishReason = event.delta?.finish_reason;
              if (isFailure(finishReason)) throw cohereStreamError(name, finishReason);
              finished = true;
              yield chunks.chunk(
                {},
                mapCohereFinishReason(finishReason),
                toChatUsage(event.delta?.usage, request, streamedText),
              );
              break;
            }
            default:
              // content-start/end, tool-plan-delta, tool-call-end and citations carry nothing the OpenAI shape has.
              break;
          }
        }
      } catch (error) {
        throw toCohereLlmError(error, name, callOptions.signal);
      }
      if (!finished) throw truncatedStreamError(name);
    } finally {
      unlink();
      controller.abort();
    }
  }

  return {
    id: 'cohere',
    name,
    // A trailing assistant turn reads to Cohere as a finished answer, not one to continue.
    supportsPrefill: false,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    contextWindow,
    chat,
    chatStream,
  };
}
