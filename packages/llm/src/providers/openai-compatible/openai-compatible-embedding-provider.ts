import OpenAI from 'openai';
import type { ProviderCallOptions } from '../../chat-provider.js';
import type {
  EmbeddingProvider,
  EmbeddingRequest,
  EmbeddingResult,
} from '../../embeddings/embedding-provider.js';
import { reportRateLimit } from '../shared/index.js';
import type { OpenAICompatibleProviderOptions } from './openai-compatible-chat-provider.js';
import { toOpenAICompatibleError } from './openai-compatible-error.js';

/** Options of `createOpenAICompatibleEmbeddingProvider`: the chat base's, minus what only chat uses. */
export type OpenAICompatibleEmbeddingProviderOptions = Omit<
  OpenAICompatibleProviderOptions,
  'supportsPrefill' | 'contextWindows'
>;

/**
 * Embeddings over the OpenAI wire format (`POST /embeddings`) through the `openai` SDK, retries off. The SDK asks
 * for base64 and decodes it to floats itself (a quarter of the JSON to parse); token-id arrays go through as is.
 */
export function createOpenAICompatibleEmbeddingProvider(
  options: OpenAICompatibleEmbeddingProviderOptions,
): EmbeddingProvider {
  const id = options.id ?? 'openai-compatible';
  const name = options.name ?? id;
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    maxRetries: 0,
    timeout: options.timeouts?.totalMs ?? 600_000,
    logLevel: 'off',
    defaultHeaders: options.headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  async function embed(
    request: EmbeddingRequest,
    callOptions: ProviderCallOptions,
  ): Promise<EmbeddingResult> {
    try {
      const { data, response } = await client.embeddings
        .create(
          {
            ...request.extra,
            model: callOptions.model,
            input: request.input,
            ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
            ...(request.user === undefined ? {} : { user: request.user }),
          },
          { signal: callOptions.signal },
        )
        .withResponse();
      reportRateLimit(response.headers, callOptions);
      const embeddings: number[][] = [];
      for (const item of data.data) embeddings[item.index] = item.embedding;
      return {
        embeddings,
        model: data.model || callOptions.model,
        usage: { prompt_tokens: data.usage.prompt_tokens, total_tokens: data.usage.total_tokens },
      };
    } catch (error) {
      if (error instanceof OpenAI.APIError)
        reportRateLimit(error.headers as Headers | undefined, callOptions);
      throw toOpenAICompatibleError(error, name, callOptions.signal);
    }
  }

  return { id, name, supportsTokenInput: true, timeouts: options.timeouts, embed };
}
