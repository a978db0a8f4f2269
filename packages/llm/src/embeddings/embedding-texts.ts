import { invalidRequest } from '../providers/shared/index.js';
import type { EmbeddingRequest } from './embedding-provider.js';

/** The texts of a request, for an adapter that embeds texts only; token-id arrays are the caller's `bad_request`. */
export function embeddingTexts(request: EmbeddingRequest, provider: string): string[] {
  if (request.input.every((item): item is string => typeof item === 'string')) return request.input;
  throw invalidRequest(provider, `provider ${provider} embeds texts only, not token arrays`, 'input');
}
