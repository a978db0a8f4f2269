import type { ProviderUsage } from '@switchyard/db/platform';
import type { UsageEvent } from '@switchyard/jobs';

/** What one batch adds to one user's month in `usage_summaries`. */
export interface UsageSummaryDelta {
  userId: string;
  period: string;
  requests: number;
  errors: number;
  fallbacks: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cost: number;
  perProvider: Record<string, Required<ProviderUsage[string]>>;
}

/** `YYYY-MM` (UTC) of an epoch-millisecond time; null when the time has no such month (out of range). */
export function usagePeriod(epochMs: number): string | null {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return null;
  const period = date.toISOString().slice(0, 7);
  return /^\d{4}-\d{2}$/.test(period) ? period : null;
}

/**
 * Adds events up into one delta per user and month, sorted by (user, period) so that concurrent consumers lock
 * summary rows in the same order and cannot deadlock. A request counts once, on its `final` attempt; an error
 * is a request whose final attempt failed (every provider failed); a fallback is an attempt with `fallbackFrom`.
 * Per provider, `requests` counts the attempts sent to it and `errors` its failed ones. Admin-key events (no
 * user) have no summary.
 */
export function summarizeUsage(events: Iterable<UsageEvent>): UsageSummaryDelta[] {
  const deltas = new Map<string, UsageSummaryDelta>();
  for (const event of events) {
    if (event.userId === null) continue;
    const period = usagePeriod(event.occurredAt);
    if (period === null) continue;
    const key = `${event.userId}/${period}`;
    let delta = deltas.get(key);
    if (delta === undefined) {
      delta = {
        userId: event.userId,
        period,
        requests: 0,
        errors: 0,
        fallbacks: 0,
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        cost: 0,
        perProvider: {},
      };
      deltas.set(key, delta);
    }
    const failed = event.status === 'error';
    if (event.final) {
      delta.requests += 1;
      if (failed) delta.errors += 1;
    }
    if (event.fallbackFrom !== null) delta.fallbacks += 1;
    delta.promptTokens += event.promptTokens;
    delta.completionTokens += event.completionTokens;
    delta.cachedTokens += event.cachedTokens;
    delta.cost += event.costUsd;
    const provider = (delta.perProvider[event.provider] ??= { requests: 0, tokens: 0, cost: 0, errors: 0 });
    provider.requests += 1;
    provider.tokens += event.promptTokens + event.completionTokens;
    provider.cost += event.costUsd;
    if (failed) provider.errors += 1;
  }
  return [...deltas.values()].sort((a, b) =>
    a.userId === b.userId ? a.period.localeCompare(b.period) : a.userId.localeCompare(b.userId),
  );
}
