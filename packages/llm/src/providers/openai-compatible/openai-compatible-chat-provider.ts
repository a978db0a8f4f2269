import OpenAI from 'openai';
import type { ChatProvider, ProviderCallOptions, ProviderId, ProviderTimeouts } from '../../chat-provider.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../chat-types.js';
import type { LlmError } from '../../errors.js';
import { SseReader } from '../../sse-reader.js';
import { estimatedUsage, reportRateLimit, truncatedStreamError } from '../shared/index.js';
import type { PooledFetch } from '../../transport.js';
import { toOpenAICompatibleError } from './openai-compatible-error.js';
import { createOpenAIWire } from './openai-wire.js';

/** Options of `createOpenAICompatibleProvider`. */
export interface OpenAICompatibleProviderOptions {
  /** Provider kind reported in attempts and health (default `openai-compatible`). */
  id?: ProviderId;
  /** Instance name; defaults to `id`. */
  name?: string;
  apiKey: string;
  /** Base URL including the version path, e.g. `https://api.groq.com/openai/v1`. */
  baseUrl: string;
  /** Pooled transport from `createPooledFetch` (its dispatcher is used); default undici's global dispatcher. */
  fetch?: typeof globalThis.fetch | PooledFetch;
  timeouts?: ProviderTimeouts;
  /** Whether the endpoint continues a trailing assistant message (most OpenAI-compatible servers do not). */
  supportsPrefill?: boolean;
  /** Known context windows by model id. */
  contextWindows?: Record<string, number>;
  /** Extra headers on every request (e.g. OpenRouter's `HTTP-Referer`). */
  headers?: Record<string, string>;
}

/** How long the end of a body may follow its `[DONE]` before the body is cancelled (see `SseReader.drain`). */
const doneGraceMs = 250;

function toWireBody(request: ChatRequest, model: string): Record<string, unknown> {
  const { stream: _stream, stream_options: _streamOptions, ...rest } = request;
  return { ...rest, model };
}

/**
 * The shared base of every OpenAI-wire provider (OpenAI, Groq, vLLM, Ollama, OpenRouter). Requests go straight
 * to the endpoint on the pooled undici dispatcher (`openai-wire.ts`); the `openai` SDK supplies the error classes,
 * so an error answer is classified exactly as the SDK would report it. No retries here: retry and fallback belong
 * to the client, which sees every provider.
 */
export function createOpenAICompatibleProvider(options: OpenAICompatibleProviderOptions): ChatProvider {
  const id = options.id ?? 'openai-compatible';
  const name = options.name ?? id;
  if (options.fetch && !('dispatcher' in options.fetch))
    throw new Error(`provider ${name}: pass a pooled transport (createPooledFetch), not a plain fetch`);
  const wire = createOpenAIWire({ ...options, dispatcher: options.fetch?.dispatcher });
  const contextWindows = options.contextWindows ?? {};

  const fail = (error: unknown, request: ChatRequest, callOptions: ProviderCallOptions): LlmError => {
    if (error instanceof OpenAI.APIError) reportRateLimit(error.headers as Headers | undefined, callOptions);
    return toOpenAICompatibleError(error, name, callOptions.signal, request);
  };

  /**
   * The body is decoded by `SseReader` rather than the SDK's `Stream`, whose stacked generators cost more CPU than
   * the rest of the client together. The SDK's semantics are kept: `[DONE]` ends the stream and a `data.error` is
   * an `APIError`.
   */
  async function* stream(
    request: ChatRequest,
    callOptions: ProviderCallOptions,
  ): AsyncGenerator<ChatCompletionChunk> {
    let finished = false;
    let usageSeen = false;
    let text = '';
    let last: ChatCompletionChunk | undefined;
    try {
      const body = {
        ...toWireBody(request, callOptions.model),
        stream: true,
        stream_options: { include_usage: true },
      };
      const response = await wire.post(JSON.stringify(body), true, callOptions.signal);
      reportRateLimit(response.headers, callOptions);
      const events = new SseReader(response.body);
      for await (const event of events) {
        if (event.data.startsWith('[DONE]')) {
          await events.drain(doneGraceMs);
          break;
        }
        const chunk = JSON.parse(event.data) as ChatCompletionChunk & { error?: object };
        if (chunk.error) throw new OpenAI.APIError(undefined, chunk.error, undefined, undefined);
        last = chunk;
        for (const choice of chunk.choices) {
          if (choice.delta.content) text += choice.delta.content;
          if (choice.finish_reason) finished = true;
        }
        if (chunk.usage) usageSeen = true;
        yield chunk;
      }
    } catch (error) {
      throw fail(error, request, callOptions);
    }
    if (!finished) {
      throw truncatedStreamError(name);
    }
    if (!usageSeen && last) {
      yield {
        id: last.id,
        object: 'chat.completion.chunk',
        created: last.created,
        model: last.model,
        choices: [],
        usage: estimatedUsage(request, text),
      };
    }
  }

  return {
    id,
    name,
    supportsPrefill: options.supportsPrefill ?? false,
    timeouts: options.timeouts,
    contextWindow: (model) => contextWindows[model],
    async chat(request, callOptions) {
      try {
        const response = await wire.post(
          JSON.stringify(toWireBody(request, callOptions.model)),
          false,
          callOptions.signal,
        );
        reportRateLimit(response.headers, callOptions);
        const completion = (await response.body.json()) as ChatCompletion;
        completion.usage ??= estimatedUsage(request, completion.choices[0]?.message.content ?? '');
        return completion;
      } catch (error) {
        throw fail(error, request, callOptions);
      }
    },
    chatStream: (request, callOptions) => stream(request, callOptions),
  };
}
