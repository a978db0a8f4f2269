/**
 * Memoizes an async computation for `ttlMs`: callers within the window share one answer, concurrent callers
 * share one computation. A failed computation is not kept, so the next call tries again.
 */
export function createCachedValue<T>(ttlMs: number, compute: () => Promise<T>, now = () => Date.now()) {
  let cached: { at: number; value: Promise<T> } | undefined;
  return {
    get(): Promise<T> {
      if (cached && now() - cached.at < ttlMs) return cached.value;
      const entry = { at: now(), value: compute() };
      cached = entry;
      entry.value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.value;
    },
  };
}
