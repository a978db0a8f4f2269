/**
 * Spend is counted per UTC calendar month, the same `YYYY-MM` period `usage_summaries` adds up in, so the live Redis
 * counters and the consumer's summaries always describe the same window.
 */

/** The period (`YYYY-MM`, UTC) `at` falls in. */
export function periodOf(at: Date = new Date()): string {
  return at.toISOString().slice(0, 7);
}

/** First and last instant (exclusive end) of the period `at` falls in. */
export function periodBounds(at: Date = new Date()): { start: Date; end: Date } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

/** Whole seconds from `at` to the end of its period (at least 1): the `Retry-After` of a spent limit. */
export function secondsToPeriodEnd(at: Date = new Date()): number {
  return Math.max(1, Math.ceil((periodBounds(at).end.getTime() - at.getTime()) / 1000));
}

/** The `months` periods ending with the one `at` falls in, oldest first. */
export function recentPeriods(months: number, at: Date = new Date()): string[] {
  return Array.from({ length: months }, (_, index) =>
    periodOf(new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - (months - 1 - index), 1))),
  );
}
