import type { AttemptRecord } from '@switchyard/llm';

/** Milliseconds of a request not spent inside provider attempts. */
export function overheadMs(startedAt: number, attempts: readonly AttemptRecord[], now = performance.now()): number {
  const providerMs = attempts.reduce((total, attempt) => total + attempt.durationMs, 0);
  return Math.max(0, now - startedAt - providerMs);
}

/** The `x-gateway-*` headers of an answer. */
export function gatewayHeaders(answer: { provider: string; model: string; attempts: readonly AttemptRecord[] }, requestId: string, overhead: number): Record<string, string> {
  return {
    'x-gateway-provider': answer.provider,
    'x-gateway-model': answer.model,
    'x-gateway-attempts': String(answer.attempts.filter((attempt) => attempt.outcome !== 'skipped').length),
    'x-gateway-overhead-ms': overhead.toFixed(2),
    'x-request-id': requestId,
  };
}
