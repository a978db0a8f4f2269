import { GoogleGenerativeAI, type EmbedContentRequest } from '@google/generative-ai';
import type { ProviderCallOptions } from '../../chat-provider.js';
import type {
  EmbeddingProvider,
  EmbeddingRequest,
  EmbeddingResult,
} from '../../embeddings/embedding-provider.js';
import { embeddingTexts } from '../../embeddings/embedding-texts.js';
import { estimatedEmbeddingUsage } from '../../embeddings/estimated-embedding-usage.js';
import { inBatches } from '../../embeddings/in-batches.js';
import { linkAbortSignal, providerError } from '../shared/index.js';
import type { GeminiProviderOptions } from './gemini-chat-provider.js';
import { recordingFetch, withFetch } from './gemini-fetch.js';
import { toGeminiLlmError } from './gemini-error.js';

/** `batchEmbedContents` takes at most 100 requests per call. */
const maxBatch = 100;

/** `outputDimensionality` is a v1beta field the 0.24 SDK does not type; the SDK sends the request as given. */
type GeminiEmbedRequest = EmbedContentRequest & { outputDimensionality?: number };

/**
 * Creates the Gemini embeddings adapter: `embedContent` for one text, `batchEmbedContents` (by 100) for more,
 * through `@google/generative-ai`. Gemini reports no usage for embeddings: it is counted with our tokenizer.
 */
export function createGeminiEmbeddingProvider(options: GeminiProviderOptions): EmbeddingProvider {
  const name = options.name ?? 'gemini';
  const genAI = new GoogleGenerativeAI(options.apiKey);
  const requestOptions = options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {};
  const baseFetch = options.fetch ?? globalThis.fetch;

  async function embed(
    request: EmbeddingRequest,
    callOptions: ProviderCallOptions,
  ): Promise<EmbeddingResult> {
    const texts = embeddingTexts(request, name);
    const model = genAI.getGenerativeModel({ model: callOptions.model }, requestOptions);
    const toRequest = (text: string): GeminiEmbedRequest => ({
      content: { role: 'user', parts: [{ text }] },
      ...(request.dimensions === undefined ? {} : { outputDimensionality: request.dimensions }),
    });
    // The SDK never removes the listener it adds to the signal it is given: give it one that lives for this call only.
    const { controller, unlink } = linkAbortSignal(callOptions.signal);
    const recorder = recordingFetch(baseFetch);
    try {
      const embeddings =
        texts.length === 1
          ? [
              (
                await withFetch(recorder.fetch, () =>
                  model.embedContent(toRequest(texts[0]!), { signal: controller.signal }),
                )
              ).embedding.values,
            ]
          : await inBatches(texts, maxBatch, async (batch) => {
              const response = await withFetch(recorder.fetch, () =>
                model.batchEmbedContents({ requests: batch.map(toRequest) }, { signal: controller.signal }),
              );
              return response.embeddings.map((embedding) => embedding.values);
            });
      if (embeddings.length !== texts.length || embeddings.some((values) => !Array.isArray(values)))
        throw providerError(name, 'server');
      return { embeddings, model: callOptions.model, usage: estimatedEmbeddingUsage(texts) };
    } catch (error) {
      throw toGeminiLlmError(error, name, callOptions.signal, recorder.headers());
    } finally {
      unlink();
      // A failed batch cancels the ones still running.
      controller.abort();
    }
  }

  return { id: 'gemini', name, supportsTokenInput: false, timeouts: options.timeouts, embed };
}
