/**
 * Runs `call` on consecutive slices of at most `size` items, in parallel, and joins the results in order: a
 * provider's per-call input limit (Gemini 100, Cohere 96) is the adapter's business, not the caller's.
 */
export async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  call: (batch: T[]) => Promise<R[]>,
): Promise<R[]> {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  const results = await Promise.all(batches.map(call));
  return results.flat();
}
