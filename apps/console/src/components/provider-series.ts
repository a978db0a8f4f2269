import type { ProviderBucket, ProviderStats } from '../api/operator.js';

/** One chart row per bucket: `{ start, openai: 0.98, anthropic: 1 }`, the shape recharts draws one line per key of. */
export type SeriesRow = { start: string } & Record<string, number | null | string>;

/** Turns per-provider bucket lists into rows per bucket, one column per provider, for one bucket field. */
export function pivotBuckets(stats: ProviderStats, field: keyof Omit<ProviderBucket, 'start'>): SeriesRow[] {
  const rows = new Map<string, SeriesRow>();
  for (const { provider, buckets } of stats.providers) {
    for (const bucket of buckets) {
      const row = rows.get(bucket.start) ?? { start: bucket.start };
      row[provider] = bucket[field];
      rows.set(bucket.start, row);
    }
  }
  return [...rows.values()].sort((left, right) => left.start.localeCompare(right.start));
}

/**
 * The breaker as 1 when it was open at any moment of a bucket, else 0: open at the bucket's start (its last
 * transition before says so; before the window's first transition it was in the opposite state, closed if none)
 * or opened within it. A breaker that opened and closed inside one bucket still shows.
 */
export function breakerRows(stats: ProviderStats): SeriesRow[] {
  const starts = stats.providers[0]?.buckets.map((bucket) => bucket.start) ?? [];
  return starts.map((start) => {
    const row: SeriesRow = { start };
    const bucketStart = Date.parse(start);
    const bucketEnd = bucketStart + stats.bucketMinutes * 60_000;
    for (const { provider, breakerTransitions } of stats.providers) {
      const before = breakerTransitions
        .filter((transition) => Date.parse(transition.at) < bucketStart)
        .at(-1);
      const first = breakerTransitions[0];
      const openAtStart = before ? before.state === 'open' : first ? first.state === 'closed' : false;
      const openedWithin = breakerTransitions.some((transition) => {
        const at = Date.parse(transition.at);
        return transition.state === 'open' && at >= bucketStart && at < bucketEnd;
      });
      row[provider] = openAtStart || openedWithin ? 1 : 0;
    }
    return row;
  });
}

/** p50 and p95 latency per bucket as `openai p50` and `openai p95` columns, for one chart of both. */
export function latencyRows(stats: ProviderStats): SeriesRow[] {
  const p50 = pivotBuckets(stats, 'p50Ms');
  const p95 = pivotBuckets(stats, 'p95Ms');
  return p50.map((row, index) => {
    const merged: SeriesRow = { start: row.start };
    for (const provider of providerNames(stats)) {
      merged[`${provider} p50`] = row[provider] ?? null;
      merged[`${provider} p95`] = p95[index]?.[provider] ?? null;
    }
    return merged;
  });
}

export function providerNames(stats: ProviderStats): string[] {
  return stats.providers.map((entry) => entry.provider);
}
