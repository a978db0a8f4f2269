import { estimateTokens } from '../tokens.js';
import type { EmbeddingUsage } from './embedding-provider.js';

/** Usage counted with our tokenizer, for a provider that reports none (Gemini); marked `estimated`. */
export function estimatedEmbeddingUsage(texts: readonly string[]): EmbeddingUsage {
  let tokens = 0;
  for (const text of texts) tokens += estimateTokens(text);
  return { prompt_tokens: tokens, total_tokens: tokens, estimated: true };
}
