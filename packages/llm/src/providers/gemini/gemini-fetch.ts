/**
 * Runs an SDK call with our fetch. The 0.24 SDK takes no fetch option: it reads the global `fetch` as a default
 * parameter, synchronously, when the call starts. Swapping the global only for that synchronous stretch gives
 * this call our pooled fetch without affecting any other code (JavaScript runs nothing else in between).
 */
export function withFetch<T>(fetchImplementation: typeof fetch, start: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = fetchImplementation;
  try {
    return start();
  } finally {
    globalThis.fetch = original;
  }
}

/** A fetch for one call that remembers the response headers, which the SDK does not expose. */
export function recordingFetch(baseFetch: typeof fetch): {
  fetch: typeof fetch;
  headers: () => Headers | undefined;
} {
  let headers: Headers | undefined;
  const recording: typeof fetch = async (input, init) => {
    const response = await baseFetch(input, init);
    headers = response.headers;
    return response;
  };
  return { fetch: recording, headers: () => headers };
}
