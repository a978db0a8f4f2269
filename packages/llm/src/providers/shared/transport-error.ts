import type { LlmError } from '../../errors.js';
import { providerError } from './provider-error.js';

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const networkMessage =
  /fetch failed|terminated|socket hang up|other side closed|ECONNRESET|ECONNREFUSED|network|connection/i;

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 6 && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/**
 * Classifies a failure that came with no provider response: an abort (our signal: deadline, idle timeout,
 * client gone) is `timeout`; a reset, refused or cut connection is `network`. Returns undefined when neither.
 */
export function classifyTransportError(
  error: unknown,
  provider: string,
  signal: AbortSignal | undefined,
): LlmError | undefined {
  const chain = errorChain(error);
  const aborted =
    signal?.aborted === true ||
    chain.some(
      (link) => link instanceof Error && (link.name === 'AbortError' || link.name === 'TimeoutError'),
    );
  if (aborted) {
    return providerError(provider, 'timeout', { cause: error });
  }
  const network = chain.some((link) => {
    if (!(link instanceof Error)) return false;
    const code = (link as Error & { code?: unknown }).code;
    return (typeof code === 'string' && networkCodes.has(code)) || networkMessage.test(link.message);
  });
  if (network) {
    return providerError(provider, 'network', { cause: error });
  }
  return undefined;
}
