import { simulatedTokens } from './simulated-embedding.js';
import type { EmbeddingDialect, ParsedEmbeddingCall } from './simulator-types.js';

interface GeminiEmbedWireRequest {
  content?: { parts?: Array<{ text?: string }> };
  outputDimensionality?: number;
}

const textOf = (request: GeminiEmbedWireRequest | undefined) =>
  (request?.content?.parts ?? []).map((part) => part.text ?? '').join('');

/**
 * The Gemini API's `POST /v1beta/models/{model}:embedContent` (`{ embedding: { values } }`) and
 * `:batchEmbedContents` (`{ embeddings: [{ values }] }`); Gemini reports no usage for embeddings.
 */
export const geminiEmbeddingDialect: EmbeddingDialect = {
  parseEmbeddingCall(method, path, body): ParsedEmbeddingCall | undefined {
    const match = /\/v1(?:beta)?\/models\/([^/:?]+):(embedContent|batchEmbedContents)(?:\?|$)/.exec(path);
    if (method !== 'POST' || !match || !body || typeof body !== 'object') return undefined;
    const batch = match[2] === 'batchEmbedContents';
    const requests = batch
      ? ((body as { requests?: GeminiEmbedWireRequest[] }).requests ?? [])
      : [body as GeminiEmbedWireRequest];
    const texts = requests.map(textOf);
    const dimensions = requests[0]?.outputDimensionality;
    return {
      model: match[1] ?? 'unknown',
      texts,
      ...(typeof dimensions === 'number' ? { dimensions } : {}),
      batch,
      promptTokens: simulatedTokens(texts),
    };
  },
  embeddingBody(call, vectors) {
    if (!call.batch) return { embedding: { values: vectors[0] ?? [] } };
    return { embeddings: vectors.map((values) => ({ values })) };
  },
};
