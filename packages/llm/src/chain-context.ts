import {
  breakerEvidence,
  createMemoryHealthStore,
  createRedisHealthStore,
  type Gate,
  type HealthStore,
} from './breaker/index.js';
import { admit, attemptBudget, screen } from './chain-policy.js';
import type { ChainRun } from './chain-run.js';
import type { ChatProvider, ProviderTimeouts, RateLimitSnapshot } from './chat-provider.js';
import type { ChainEntry, LlmClientOptions } from './client-types.js';
import type { LlmError } from './errors.js';

const defaultTimeouts: ProviderTimeouts = {
  connectMs: 5_000,
  firstTokenMs: 10_000,
  idleMs: 15_000,
  totalMs: 45_000,
};

const noop = () => undefined;

/** What every chain walk of one client shares: its providers, their timeouts, the breakers and rate-limit marks. */
export type ChainContext = ReturnType<typeof createChainContext>;

/** The client-wide services of `createLlmClient`: provider lookup, gates (fail-open), breaker reports, admission. */
export function createChainContext(options: LlmClientOptions) {
  const providers = new Map(options.providers.map((provider) => [provider.name, provider]));
  const store: HealthStore = options.redis
    ? createRedisHealthStore(options.redis, options.keyPrefix ?? 'switchyard:', options.breaker)
    : createMemoryHealthStore(options.breaker);

  const clientTimeouts: ProviderTimeouts = { ...defaultTimeouts, ...options.timeouts };
  const timeoutsOf = (provider: Pick<ChatProvider, 'timeouts'>): ProviderTimeouts =>
    provider.timeouts ?? clientTimeouts;

  // Shared state is advisory: when Redis is unreachable, calling the provider beats refusing the request.
  const acquire = async (name: string, model: string): Promise<Gate> => {
    try {
      return await store.acquire(name, model);
    } catch {
      return { allowed: true, probe: false };
    }
  };
  /**
   * Tells the breakers what a call proved (breaker-evidence.ts): the one place an outcome reaches them. `slow`
   * marks a failure as weak evidence (see `BreakerOutcome`).
   */
  const report = (run: ChainRun, name: string, model: string, error: LlmError | undefined, slow = false) => {
    const evidence = breakerEvidence(error, run.pinnedModel === model);
    const written =
      evidence === 'none'
        ? store.release(name, model)
        : evidence === 'success' || !error
          ? store.record(name, { success: true, model })
          : store.record(name, {
              success: false,
              kind: error.kind,
              retryAfterMs: error.retryAfterMs,
              model,
              scope: evidence === 'model_failure' ? 'model' : 'provider',
              slow,
            });
    written.catch(noop);
  };
  /** A call that ended with no evidence either way (the caller left, a hedge lost): frees its probe slot. */
  const release = (name: string, model: string) => {
    store.release(name, model).catch(noop);
  };
  const rateLimitHandler = (name: string) => (snapshot: RateLimitSnapshot) => {
    if (
      (snapshot.remainingRequests === 0 || snapshot.remainingTokens === 0) &&
      snapshot.resetAt !== undefined &&
      snapshot.resetAt > Date.now()
    ) {
      store.markRateLimited(name, snapshot.resetAt).catch(noop);
    }
  };
  // One handler per configured provider, made once; a per-call provider (a user's own key) gets its own.
  const rateLimitHandlers = new Map([...providers.keys()].map((name) => [name, rateLimitHandler(name)]));
  const onRateLimitFor = (name: string) => rateLimitHandlers.get(name) ?? rateLimitHandler(name);

  const providerOf = (run: ChainRun, entry: ChainEntry): ChatProvider | undefined =>
    run.callProviders?.find((candidate) => candidate.name === entry.provider) ??
    providers.get(entry.provider);

  /** Chain entries from `index` on whose provider is configured: the ones a share of the deadline is kept for. */
  const providersLeft = (run: ChainRun, index: number): number => {
    let count = 0;
    for (let position = index; position < run.chain.length; position += 1)
      if (providerOf(run, run.chain[position]!)) count += 1;
    return count;
  };

  /**
   * The provider of a chain entry when it may be called now; records a skip when not. With `waitForProbe`, a
   * provider whose probe another call holds is waited for, within this entry's share of the deadline.
   */
  const admitEntry = async (
    run: ChainRun,
    entry: ChainEntry,
    index: number,
    minimumWindow: number | undefined,
  ): Promise<ChatProvider | undefined> => {
    const provider = providerOf(run, entry);
    const now = Date.now();
    const screened = screen(provider, entry.model, minimumWindow);
    let gate: Gate | undefined;
    if (screened.admitted && provider) {
      gate = await acquire(provider.name, entry.model);
      const waitUntil = now + attemptBudget(run.deadlineAt - now, providersLeft(run, index), Infinity);
      while (run.waitForProbe && !gate.allowed && gate.reason === 'breaker_half_open') {
        const waitMs = Math.min(waitUntil, gate.until) - Date.now();
        if (waitMs <= 0 || run.signal?.aborted) break;
        await store.waitForProbe(provider.name, entry.model, waitMs, run.signal).catch(noop);
        gate = await acquire(provider.name, entry.model);
      }
    }
    const admission = gate ? admit(gate) : screened;
    if (admission.admitted) return provider;
    run.record(entry, now, { outcome: 'skipped', skipReason: admission.skipReason });
    return undefined;
  };

  return {
    providers,
    store,
    timeoutsOf,
    acquire,
    report,
    release,
    onRateLimitFor,
    providerOf,
    providersLeft,
    admitEntry,
  };
}
