import type { ProviderCallOptions } from '../../chat-provider.js';
import type {
  EmbeddingProvider,
  EmbeddingRequest,
  EmbeddingResult,
} from '../../embeddings/embedding-provider.js';
import { embeddingTexts } from '../../embeddings/embedding-texts.js';
import { estimatedEmbeddingUsage } from '../../embeddings/estimated-embedding-usage.js';
import { inBatches } from '../../embeddings/in-batches.js';
import { linkAbortSignal, providerError, reportRateLimit } from '../shared/index.js';
import type { CohereProviderOptions } from './cohere-chat-provider.js';
import { cohereHttpError, toCohereLlmError } from './cohere-error.js';

/** `POST /v2/embed` takes at most 96 texts per call. */
const maxBatch = 96;

/**
 * What the vectors are for, when the caller does not say (`input_type` beside OpenAI's fields). v3+ models require
 * it; OpenAI's API has no such field, and a gateway request is most often indexing documents, so `search_document`
 * (LiteLLM's default too).
 */
const defaultInputType = 'search_document';

/** The v2 embed response, as far as it is read. */
interface CohereEmbedResponse {
  id?: string;
  embeddings?: { float?: number[][] };
  meta?: { billed_units?: { input_tokens?: number } };
}

/** Creates the Cohere embeddings adapter: the v2 API (`POST /v2/embed`, float vectors, by 96) over our fetch. */
export function createCohereEmbeddingProvider(options: CohereProviderOptions): EmbeddingProvider {
  const name = options.name ?? 'cohere';
  const base = (options.baseUrl ?? 'https://api.cohere.com').replace(/\/+$/, '').replace(/\/v2$/, '');
  const url = `${base}/v2/embed`;
  const fetchImplementation = options.fetch ?? globalThis.fetch;

  async function embedBatch(
    texts: string[],
    request: EmbeddingRequest,
    callOptions: ProviderCallOptions,
    signal: AbortSignal,
  ): Promise<{ embeddings: number[][]; tokens: number | undefined }> {
    let response: Response;
    try {
      response = await fetchImplementation(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({
          model: callOptions.model,
          texts,
          input_type:
            typeof request.extra?.input_type === 'string' ? request.extra.input_type : defaultInputType,
          embedding_types: ['float'],
          // Cohere's default truncates silently; a vector of half the text must not pass for the whole text's.
          truncate: 'NONE',
          ...(request.dimensions === undefined ? {} : { output_dimension: request.dimensions }),
        }),
        signal,
      });
    } catch (error) {
      throw toCohereLlmError(error, name, callOptions.signal);
    }
    reportRateLimit(response.headers, callOptions);
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (response.ok) throw toCohereLlmError(error, name, callOptions.signal);
      body = undefined;
    }
    if (!response.ok) throw cohereHttpError(name, response.status, response.headers, body);
    const data = body as CohereEmbedResponse;
    const embeddings = data.embeddings?.float;
    if (!Array.isArray(embeddings) || embeddings.length !== texts.length) throw providerError(name, 'server');
    return { embeddings, tokens: data.meta?.billed_units?.input_tokens };
  }

  async function embed(
    request: EmbeddingRequest,
    callOptions: ProviderCallOptions,
  ): Promise<EmbeddingResult> {
    const texts = embeddingTexts(request, name);
    const { controller, unlink } = linkAbortSignal(callOptions.signal);
    try {
      let tokens: number | undefined = 0;
      const embeddings = await inBatches(texts, maxBatch, async (batch) => {
        const answer = await embedBatch(batch, request, callOptions, controller.signal);
        tokens = answer.tokens === undefined || tokens === undefined ? undefined : tokens + answer.tokens;
        return answer.embeddings;
      });
      return {
        embeddings,
        model: callOptions.model,
        usage:
          tokens === undefined
            ? estimatedEmbeddingUsage(texts)
            : { prompt_tokens: tokens, total_tokens: tokens },
      };
    } finally {
      unlink();
      // A failed batch cancels the ones still running.
      controller.abort();
    }
  }

  return { id: 'cohere', name, supportsTokenInput: false, timeouts: options.timeouts, embed };
}
