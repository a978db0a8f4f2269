/** Circuit-breaker settings (all durations in ms). */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** Failure ratio over the window that opens it (default 0.5)... */
  failureRatio?: number;
  /** ...once the window holds at least this many calls (default 20). */
  minimumRequests?: number;
  /** Length of the ratio window (default 30 s). */
  windowMs?: number;
  /** How long an opened breaker rejects calls before letting one probe through (default 30 s). */
  cooldownMs?: number;
  /** Cooldown after `auth` or `not_found`: a wrong key or model does not heal in seconds (default 10 min). */
  longCooldownMs?: number;
  /** A half-open probe that has not reported after this long frees its slot (default 60 s). */
  probeTimeoutMs?: number;
  /**
   * Providers whose state is kept in process (default 10,000). Per-user providers (a user's own key) each have
   * their own breaker, so the state is bounded; the least recently used is forgotten, which at worst lets one
   * call through to a provider that was failing.
   */
  maxTrackedProviders?: number;
  /**
   * With Redis: how often each process re-reads a provider's shared state and flushes its count of successes
   * (default 1 s). State changes reach every process sooner, by pub/sub; this is the safety net.
   */
  syncIntervalMs?: number;
}

/** Breaker settings with every default filled in. */
export type ResolvedBreakerOptions = Required<BreakerOptions>;

/** Breaker settings with defaults filled in. */
export function resolveBreakerOptions(options: BreakerOptions = {}): ResolvedBreakerOptions {
  return {
    failureThreshold: options.failureThreshold ?? 5,
    failureRatio: options.failureRatio ?? 0.5,
    minimumRequests: options.minimumRequests ?? 20,
    windowMs: options.windowMs ?? 30_000,
    cooldownMs: options.cooldownMs ?? 30_000,
    longCooldownMs: options.longCooldownMs ?? 600_000,
    probeTimeoutMs: options.probeTimeoutMs ?? 60_000,
    maxTrackedProviders: options.maxTrackedProviders ?? 10_000,
    syncIntervalMs: options.syncIntervalMs ?? 1_000,
  };
}
