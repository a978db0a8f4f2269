import { float32Base64, simulatedTokens } from './simulated-embedding.js';
import type { EmbeddingDialect, ParsedEmbeddingCall } from './simulator-types.js';

interface OpenAIEmbeddingWireRequest {
  model?: string;
  input?: unknown;
  dimensions?: number;
  encoding_format?: string;
}

const isTokens = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');

/** `input` as OpenAI reads it: a string, strings, one token array, or token arrays. */
function readInputs(input: unknown): { texts: string[]; tokens: number } | undefined {
  if (typeof input === 'string') return { texts: [input], tokens: simulatedTokens([input]) };
  if (isTokens(input)) return { texts: [`tokens:${input.join(',')}`], tokens: input.length };
  if (!Array.isArray(input)) return undefined;
  if (input.every((item) => typeof item === 'string'))
    return { texts: input, tokens: simulatedTokens(input) };
  if (input.every(isTokens))
    return {
      texts: input.map((tokens) => `tokens:${tokens.join(',')}`),
      tokens: input.reduce((total, tokens) => total + tokens.length, 0),
    };
  return undefined;
}

/** OpenAI's `POST /v1/embeddings` (float or base64 vectors), also spoken by OpenAI-compatible servers. */
export const openAIEmbeddingDialect: EmbeddingDialect = {
  parseEmbeddingCall(method, path, body): ParsedEmbeddingCall | undefined {
    const pathname = path.split('?')[0] ?? '';
    if (method !== 'POST' || !pathname.endsWith('/embeddings') || !body || typeof body !== 'object')
      return undefined;
    const request = body as OpenAIEmbeddingWireRequest;
    const inputs = readInputs(request.input) ?? { texts: [], tokens: 0 };
    return {
      model: request.model ?? 'unknown',
      texts: inputs.texts,
      ...(typeof request.dimensions === 'number' ? { dimensions: request.dimensions } : {}),
      base64: request.encoding_format === 'base64',
      promptTokens: inputs.tokens,
    };
  },
  embeddingBody(call, vectors) {
    return {
      object: 'list',
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: call.base64 ? float32Base64(vector) : vector,
      })),
      model: call.model,
      usage: { prompt_tokens: call.promptTokens, total_tokens: call.promptTokens },
    };
  },
};
