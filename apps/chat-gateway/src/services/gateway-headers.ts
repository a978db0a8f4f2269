import type { AttemptRecord } from '@switchyard/llm';
import type { StreamProgress } from './stream-progress.js';

/** Milliseconds of a request not spent inside provider attempts. */
export function overheadMs(
  startedAt: number,
  attempts: readonly AttemptRecord[],
  now = performance.now(),
): number {
  const providerMs = attempts.reduce((total, attempt) => total + attempt.durationMs, 0);
  return Math.max(0, now - startedAt - providerMs);
}

/** The `x-gateway-*` headers of an answer. */
export function gatewayHeaders(
  answer: { provider: string; model: string; attempts: readonly AttemptRecord[] },
  requestId: string,
  overhead: number,
): Record<string, string> {
  return {
    'x-gateway-provider': answer.provider,
    'x-gateway-model': answer.model,
    'x-gateway-attempts': String(answer.attempts.filter((attempt) => attempt.outcome !== 'skipped').length),
    'x-gateway-overhead-ms': overhead.toFixed(2),
    'x-request-id': requestId,
  };
}

/**
 * Headers of a stream, sent with its first byte (first content chunk, or the first heartbeat when the first token
 * is slow): they name the provider answering, or being tried, at that moment. A later fallback cannot change
 * them; the final chunk's `x_gateway.contributors` says who wrote the answer.
 */
export function streamHeaders(
  progress: StreamProgress | undefined,
  requestId: string,
): Record<string, string> {
  if (!progress) return { 'x-request-id': requestId };
  return {
    'x-gateway-provider': progress.provider,
    'x-gateway-model': progress.model,
    'x-gateway-attempts': String(progress.attempts),
    'x-gateway-overhead-ms': progress.overheadMs.toFixed(2),
    'x-request-id': requestId,
  };
}

/**
 * `x-gateway-hedge` (validated by the route schema to `on`, `off` or absent) as the client's per-call `hedge`
 * option; absent leaves it to the deployment. Takes `unknown` because Fastify types schema'd headers loosely.
 */
export function hedgeRequested(header: unknown): boolean | undefined {
  return header === 'on' ? true : header === 'off' ? false : undefined;
}

/**
 * `x-quota-remaining-requests` and `x-quota-remaining-cost-usd` of a chat answer: what is left of the plan this
 * period (`unlimited` when the plan has no such limit). A stream sends them with its first byte, so they count
 * the stream's own reservation (its worst case), not yet its real cost.
 */
export function quotaHeaders(remaining: {
  requests: number | null;
  costUsd: number | null;
}): Record<string, string> {
  return {
    'x-quota-remaining-requests': remaining.requests === null ? 'unlimited' : String(remaining.requests),
    'x-quota-remaining-cost-usd': remaining.costUsd === null ? 'unlimited' : remaining.costUsd.toFixed(6),
  };
}
