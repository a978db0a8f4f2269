/** Links a caller's signal to a controller the adapter owns, so an early exit can cancel the HTTP call too. */
export function linkAbortSignal(signal: AbortSignal): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(signal.reason);
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return { controller, unlink: () => signal.removeEventListener('abort', abort) };
}
