import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import type {
  Message,
  MessageDeltaUsage,
  RawMessageStreamEvent,
  StopReason,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';

import type { ChatProvider, ProviderCallOptions, ProviderTimeouts } from '../../chat-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ChatToolCall,
  ChatUsage,
} from '../../chat-types.js';
import {
  ChatCompletionChunkBuilder,
  contentToText,
  contextWindowByPrefix,
  providerError,
  reportRateLimit,
  toChatCompletion,
  unfinishedStreamError,
  type ProviderOptions,
} from '../shared/index.js';
import { toAnthropicLlmError } from './anthropic-error.js';
import { convertToAnthropicRequest } from './convert-to-anthropic-messages.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';

/** Options of `createAnthropicProvider`. */
export interface AnthropicProviderOptions extends ProviderOptions {
  /** Defaults to `https://api.anthropic.com`. */
  baseUrl?: string;
  /** Reported to the client, which enforces them per attempt; `totalMs` also bounds the SDK request. */
  timeouts?: ProviderTimeouts;
}

const defaultBaseUrl = 'https://api.anthropic.com';
// `client.messages.create` console.warns about deprecated models; the library never logs, so it posts through
// the same SDK transport, error classes and SSE parser directly.
const messagesPath = '/v1/messages';

/** Every current Claude model has a 200k-token window (1M only behind a beta header we do not send). */
const contextWindow = contextWindowByPrefix([
  ['claude-2.0', 100_000],
  ['claude-instant', 100_000],
  ['claude-', 200_000],
]);

type UsageCounts = Pick<Usage, 'input_tokens' | 'output_tokens'> &
  Partial<Pick<Usage, 'cache_read_input_tokens' | 'cache_creation_input_tokens'>>;

/** OpenAI counts cached input inside `prompt_tokens`; Anthropic reports it beside `input_tokens`. */
function toChatUsage(usage: UsageCounts): ChatUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const promptTokens = usage.input_tokens + cached + (usage.cache_creation_input_tokens ?? 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.output_tokens,
    total_tokens: promptTokens + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

/**
 * Whitespace that ended the caller's prefill. The request trims it (Anthropic rejects it), so the model starts its
 * continuation with that whitespace; the adapter drops it again, or the caller would see it twice.
 */
function trimmedPrefillWhitespace(request: ChatRequest): number {
  const last = request.messages.at(-1);
  if (last?.role !== 'assistant') return 0;
  return /\s*$/.exec(contentToText(last.content))?.[0].length ?? 0;
}

/** Removes up to `count` leading whitespace characters; returns the rest and how many are still to remove. */
function dropLeadingWhitespace(text: string, count: number): { text: string; remaining: number } {
  if (count === 0) return { text, remaining: 0 };
  const leading = /^\s*/.exec(text)?.[0].length ?? 0;
  const dropped = Math.min(leading, count);
  const rest = text.slice(dropped);
  return { text: rest, remaining: rest === '' ? count - dropped : 0 };
}

function toCompletion(message: Message, provider: string, whitespaceToDrop: number): ChatCompletion {
  let text = '';
  const toolCalls: ChatToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
    }
  }
  text = dropLeadingWhitespace(text, whitespaceToDrop).text;
  const finishReason = mapAnthropicFinishReason(message.stop_reason);
  if (finishReason === 'content_filter' && text === '' && toolCalls.length === 0) {
    throw providerError(provider, 'content_filter', { reason: 'refusal' });
  }
  return toChatCompletion({
    id: message.id,
    model: message.model,
    text,
    toolCalls,
    finishReason,
    usage: toChatUsage(message.usage),
  });
}

/** Creates the Anthropic adapter: Messages API through `@anthropic-ai/sdk`, with our fetch and no SDK retries. */
export function createAnthropicProvider(options: AnthropicProviderOptions): ChatProvider {
  const name = options.name ?? 'anthropic';
  const client = new Anthropic({
    apiKey: options.apiKey,
    // Explicit null: otherwise the SDK picks ANTHROPIC_AUTH_TOKEN from the environment and sends it to `baseUrl` too.
    authToken: null,
    baseURL: options.baseUrl ?? defaultBaseUrl,
    ...(options.timeouts ? { timeout: options.timeouts.totalMs } : {}),
    // The fallback client owns retries; an SDK retry would hide failures from the breaker and the deadline.
    maxRetries: 0,
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  async function chat(request: ChatRequest, callOptions: ProviderCallOptions): Promise<ChatCompletion> {
    const params = convertToAnthropicRequest(request, name, callOptions.model);
    try {
      const { data, response } = await client
        .post<Message>(messagesPath, { body: { ...params, stream: false }, signal: callOptions.signal })
        .withResponse();
      reportRateLimit(response.headers, callOptions);
      return toCompletion(data, name, trimmedPrefillWhitespace(request));
    } catch (error) {
      if (error instanceof APIError) reportRateLimit((error as APIError).headers, callOptions);
      throw toAnthropicLlmError(error, name, callOptions.signal, request);
    }
  }

  async function* chatStream(
    request: ChatRequest,
    callOptions: ProviderCallOptions,
  ): AsyncGenerator<ChatCompletionChunk> {
    const params = convertToAnthropicRequest(request, name, callOptions.model);
    let stream;
    try {
      const { data, response } = await client
        .post<Stream<RawMessageStreamEvent>>(messagesPath, {
          body: { ...params, stream: true },
          signal: callOptions.signal,
          stream: true,
        })
        .withResponse();
      reportRateLimit(response.headers, callOptions);
      stream = data;
    } catch (error) {
      if (error instanceof APIError) reportRateLimit((error as APIError).headers, callOptions);
      throw toAnthropicLlmError(error, name, callOptions.signal, request);
    }

    const chunks = new ChatCompletionChunkBuilder('', callOptions.model);
    let whitespaceToDrop = trimmedPrefillWhitespace(request);
    const text = (delta: string): string => {
      const stripped = dropLeadingWhitespace(delta, whitespaceToDrop);
      whitespaceToDrop = stripped.remaining;
      return stripped.text;
    };
    let usage: UsageCounts = { input_tokens: 0, output_tokens: 0 };
    let stopReason: StopReason | null = null;
    let finished = false;
    const toolIndexByBlock = new Map<number, number>();
    const mergeUsage = (delta: Partial<MessageDeltaUsage>): void => {
      usage = {
        input_tokens: delta.input_tokens ?? usage.input_tokens,
        output_tokens: delta.output_tokens ?? usage.output_tokens,
        cache_read_input_tokens: delta.cache_read_input_tokens ?? usage.cache_read_input_tokens ?? null,
        cache_creation_input_tokens:
          delta.cache_creation_input_tokens ?? usage.cache_creation_input_tokens ?? null,
      };
    };

    try {
      for await (const event of stream) {
        switch (event.type) {
          case 'message_start':
            chunks.id = event.message.id;
            chunks.model = event.message.model;
            mergeUsage(event.message.usage);
            break;
          case 'content_block_start':
            if (event.content_block.type === 'text') {
              const content = text(event.content_block.text);
              if (content !== '') yield chunks.chunk({ content });
            } else if (event.content_block.type === 'tool_use') {
              const toolIndex = toolIndexByBlock.size;
              toolIndexByBlock.set(event.index, toolIndex);
              yield chunks.chunk({
                tool_calls: [
                  {
                    index: toolIndex,
                    id: event.content_block.id,
                    type: 'function',
                    function: { name: event.content_block.name, arguments: '' },
                  },
                ],
              });
            }
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') {
              const content = text(event.delta.text);
              if (content !== '') yield chunks.chunk({ content });
            } else if (event.delta.type === 'input_json_delta') {
              const toolIndex = toolIndexByBlock.get(event.index);
              if (toolIndex !== undefined && event.delta.partial_json !== '') {
                yield chunks.chunk({
                  tool_calls: [{ index: toolIndex, function: { arguments: event.delta.partial_json } }],
                });
              }
            }
            break;
          case 'message_delta':
            stopReason = event.delta.stop_reason;
            mergeUsage(event.usage);
            break;
          case 'message_stop': {
            finished = true;
            const finishReason = mapAnthropicFinishReason(stopReason);
            if (finishReason === 'content_filter' && !chunks.emitted)
              throw providerError(name, 'content_filter', { reason: 'refusal' });
            yield chunks.chunk({}, finishReason, toChatUsage(usage));
            break;
          }
          default:
            break;
        }
      }
    } catch (error) {
      throw toAnthropicLlmError(error, name, callOptions.signal);
    }
    // The SDK ends its iterator quietly when its request is aborted; a missing message_stop means truncation.
    if (!finished) throw unfinishedStreamError(name, callOptions.signal);
  }

  return {
    id: 'anthropic',
    name,
    supportsPrefill: true,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    contextWindow,
    chat,
    chatStream,
  };
}
