/** How failed tasks come back: `now + min(baseMs * 2^(failures - 1), maxMs)`, with ±jitter. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Fraction of the delay added or removed at random (default 0.2). */
  jitter?: number;
}

/** The delay before a failed task's next check; exported for tests and the bench. */
export function retryDelayMs(
  policy: RetryPolicy,
  consecutiveFailures: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, consecutiveFailures - 1);
  const delay = Math.min(policy.baseMs * 2 ** Math.min(exponent, 30), policy.maxMs);
  const jitter = policy.jitter ?? 0.2;
  return Math.round(Math.min(delay * (1 - jitter + 2 * jitter * random()), policy.maxMs));
}
