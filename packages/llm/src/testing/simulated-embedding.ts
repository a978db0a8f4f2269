import type { ParsedCall, ParsedEmbeddingCall } from './simulator-types.js';

/** Vector lengths of the known embedding models when no `dimensions` is asked; others get 768. */
const defaultDimensions: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
  'text-embedding-004': 768,
  'gemini-embedding-001': 3072,
  'embed-v4.0': 1536,
  'embed-english-v3.0': 1024,
  'embed-multilingual-v3.0': 1024,
};

/** FNV-1a of a string: the seed of a text's vector. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}

/**
 * The vector a simulator answers for `text` on `model`: deterministic (the same model gives the same vector on
 * every simulator, as two deployments of one real model do; another model gives another), unit length, and made
 * of float32 values, so a base64 answer decodes to exactly the floats of a JSON one.
 */
export function simulatedEmbedding(model: string, text: string, dimensions?: number): number[] {
  const length = dimensions ?? defaultDimensions[model] ?? 768;
  let state = hash(`${model}\n${text}`);
  const values: number[] = [];
  let norm = 0;
  for (let index = 0; index < length; index += 1) {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    const value = (((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296) * 2 - 1;
    values.push(value);
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  return values.map((value) => Math.fround(value * scale));
}

/** The vectors of every text of a call. */
export function simulatedEmbeddings(call: ParsedEmbeddingCall): number[][] {
  return call.texts.map((text) => simulatedEmbedding(call.model, text, call.dimensions));
}

/** An embeddings call as the shared server's fault logic sees a call: never streamed, never a prefill. */
export function embeddingAsCall(call: ParsedEmbeddingCall): ParsedCall {
  const promptText = call.texts.join('\n');
  return { model: call.model, stream: false, prompt: promptText, hasPrefill: false, promptText };
}

/** Base64 of little-endian float32 values: OpenAI's `encoding_format: base64`. */
export function float32Base64(values: readonly number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => buffer.writeFloatLE(value, index * 4));
  return buffer.toString('base64');
}

/** Words of a text, the simulators' token count (at least 1 per input). */
export function simulatedTokens(texts: readonly string[]): number {
  return texts.reduce((total, text) => total + Math.max(1, text.split(/\s+/).filter(Boolean).length), 0);
}
