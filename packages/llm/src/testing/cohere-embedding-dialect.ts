import { simulatedTokens } from './simulated-embedding.js';
import type { EmbeddingDialect, ParsedEmbeddingCall } from './simulator-types.js';

interface CohereEmbedWireRequest {
  model?: string;
  texts?: string[];
  output_dimension?: number;
}

/** Cohere's v2 `POST /v2/embed` with `embedding_types: ["float"]` (`embeddings.float`, `meta.billed_units`). */
export const cohereEmbeddingDialect: EmbeddingDialect = {
  parseEmbeddingCall(method, path, body): ParsedEmbeddingCall | undefined {
    const pathname = path.split('?')[0] ?? '';
    if (method !== 'POST' || !pathname.endsWith('/v2/embed') || !body || typeof body !== 'object')
      return undefined;
    const request = body as CohereEmbedWireRequest;
    const texts = (request.texts ?? []).map(String);
    return {
      model: request.model ?? 'unknown',
      texts,
      ...(typeof request.output_dimension === 'number' ? { dimensions: request.output_dimension } : {}),
      promptTokens: simulatedTokens(texts),
    };
  },
  embeddingBody(call, vectors) {
    return {
      id: `cohere-embed-sim-${call.promptTokens}`,
      embeddings: { float: vectors },
      texts: call.texts,
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: call.promptTokens } },
      response_type: 'embeddings_by_type',
    };
  },
};
