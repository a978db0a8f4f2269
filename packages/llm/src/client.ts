import { AttemptControl, classify } from './attempt-control.js';
import {
  countsAsProviderFailure,
  createMemoryHealthStore,
  createRedisHealthStore,
  type Gate,
  type HealthStore,
} from './breaker/index.js';
import { admit, decide, raiseMinimumWindow, resolveRetryPolicy, screen } from './chain-policy.js';
import type { ChatProvider, ProviderTimeouts, RateLimitSnapshot } from './chat-provider.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ChatUsage } from './chat-types.js';
import type {
  ChainEntry,
  ChatResult,
  ChatStream,
  HookContext,
  LlmCallOptions,
  LlmClient,
  LlmClientOptions,
  StreamOutcome,
} from './client-types.js';
import {
  AllProvidersFailedError,
  StreamInterruptedError,
  type AttemptRecord,
  type LlmError,
  type LlmErrorKind,
} from './errors.js';
import { StreamRelay } from './stream-relay.js';

export type { RetryOptions } from './chain-policy.js';
export type {
  AttemptEvent,
  ChainEntry,
  ChatResult,
  ChatStream,
  FallbackEvent,
  HookContext,
  LlmCallOptions,
  LlmClient,
  LlmClientHooks,
  LlmClientOptions,
  StreamOutcome,
  UsageEvent,
} from './client-types.js';

const defaultTimeouts: ProviderTimeouts = {
  connectMs: 5_000,
  firstTokenMs: 20_000,
  idleMs: 15_000,
  totalMs: 45_000,
};

/** Spread into the records of continuation attempts; shared, as it is only ever copied. */
const continuationMark = { continuation: true } as const;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Creates the fallback client: retry, fallback, circuit breaking, rate-limit avoidance and the streaming contract. */
export function createLlmClient(options: LlmClientOptions): LlmClient {
  const providers = new Map(options.providers.map((provider) => [provider.name, provider]));
  const store: HealthStore = options.redis
    ? createRedisHealthStore(options.redis, options.keyPrefix ?? 'switchyard:', options.breaker)
    : createMemoryHealthStore(options.breaker);
  const hooks = options.hooks ?? {};
  const continuationEnabled = options.continuation ?? true;
  const retryPolicy = resolveRetryPolicy(options.retry);

  const timeoutsOf = (provider: ChatProvider): ProviderTimeouts =>
    provider.timeouts ?? { ...defaultTimeouts, ...options.timeouts };

  const safely = <T>(hook: ((event: T) => void) | undefined, event: T) => {
    if (!hook) return;
    try {
      hook(event);
    } catch {
      // A broken hook must not break the answer.
    }
  };

  // Shared state is advisory: when Redis is unreachable, calling the provider beats refusing the request.
  const acquire = async (name: string): Promise<Gate> => {
    try {
      return await store.acquire(name);
    } catch {
      return { allowed: true, probe: false };
    }
  };
  const recordOutcome = (name: string, error: LlmError | undefined) => {
    const outcome =
      error && countsAsProviderFailure(error.kind)
        ? { success: false as const, kind: error.kind, retryAfterMs: error.retryAfterMs }
        : { success: true as const };
    store.record(name, outcome).catch(() => undefined);
  };
  const rateLimitHandler = (name: string) => (snapshot: RateLimitSnapshot) => {
    if (
      (snapshot.remainingRequests === 0 || snapshot.remainingTokens === 0) &&
      snapshot.resetAt !== undefined &&
      snapshot.resetAt > Date.now()
    ) {
      store.markRateLimited(name, snapshot.resetAt).catch(() => undefined);
    }
  };
  // One handler per configured provider, made once; a per-call provider (a user's own key) gets its own.
  const rateLimitHandlers = new Map([...providers.keys()].map((name) => [name, rateLimitHandler(name)]));
  const onRateLimitFor = (name: string) => rateLimitHandlers.get(name) ?? rateLimitHandler(name);

  /** One request's walk down its chain: what its attempts, records and hook events share. */
  interface ChainRun {
    chain: ChainEntry[];
    context: HookContext;
    attempts: AttemptRecord[];
    deadlineAt: number;
    signal: AbortSignal | undefined;
    callProviders: readonly ChatProvider[] | undefined;
  }

  const record = (
    run: ChainRun,
    entry: ChainEntry,
    startedAt: number,
    extra: Partial<AttemptRecord> & Pick<AttemptRecord, 'outcome'>,
  ) => {
    const attempt: AttemptRecord = {
      provider: entry.provider,
      model: entry.model,
      attempt: run.attempts.length + 1,
      durationMs: Date.now() - startedAt,
      ...extra,
    };
    run.attempts.push(attempt);
    if (hooks.onAttempt) safely(hooks.onAttempt, { ...attempt, ...run.context });
  };

  const reportUsage = (run: ChainRun, provider: string, model: string, usage: ChatUsage) =>
    safely(hooks.onUsage, { ...run.context, provider, model, usage });

  /** The provider of a chain entry when it may be called now; records a skip when not. */
  const admitEntry = async (
    run: ChainRun,
    entry: ChainEntry,
    minimumWindow: number | undefined,
  ): Promise<ChatProvider | undefined> => {
    const provider =
      run.callProviders?.find((candidate) => candidate.name === entry.provider) ??
      providers.get(entry.provider);
    const now = Date.now();
    const screened = screen(provider, entry.model, minimumWindow);
    const admission = screened.admitted && provider ? admit(await acquire(provider.name)) : screened;
    if (admission.admitted) return provider;
    record(run, entry, now, { outcome: 'skipped', skipReason: admission.skipReason });
    return undefined;
  };

  const startRun = (callOptions: LlmCallOptions, stream: boolean): ChainRun => ({
    chain: callOptions.chain && callOptions.chain.length > 0 ? callOptions.chain : options.defaultChain,
    context: { requestId: callOptions.requestId, userId: callOptions.userId, stream },
    attempts: [],
    deadlineAt: Date.now() + (callOptions.deadlineMs ?? options.deadlineMs),
    signal: callOptions.signal,
    callProviders: callOptions.providers,
  });

  const fallbackEvent = (
    run: ChainRun,
    from: ChainEntry,
    index: number,
    reason: string,
    afterFirstToken: boolean,
  ) => {
    const to = run.chain[index + 1];
    if (to) safely(hooks.onFallback, { ...run.context, from, to, reason, afterFirstToken });
  };

  /**
   * The one walk down a chain, for a JSON answer (no `relay`) and a stream alike: admission, the deadline, retries
   * of the same provider, each attempt's timers and classification, records, the policy's decision, fallback
   * events and backoff. A stream's chunks are read here and handed to its relay rather than re-yielded from a
   * generator of the relay's own, so each chunk crosses one generator between the provider and the caller.
   */
  function walkChain(run: ChainRun, request: ChatRequest): AsyncGenerator<never, ChatResult>;
  function walkChain(
    run: ChainRun,
    request: ChatRequest,
    relay: StreamRelay,
  ): AsyncGenerator<ChatCompletionChunk>;
  async function* walkChain(
    run: ChainRun,
    request: ChatRequest,
    relay?: StreamRelay,
  ): AsyncGenerator<ChatCompletionChunk, ChatResult | undefined> {
    let minimumWindow: number | undefined;
    let lastError: LlmError | undefined;
    for (const [index, entry] of run.chain.entries()) {
      const provider = await admitEntry(run, entry, minimumWindow);
      if (!provider) {
        const reason = run.attempts.at(-1)?.skipReason ?? 'skipped';
        fallbackEvent(run, entry, index, reason, relay?.answerStarted ?? false);
        continue;
      }
      const timeouts = timeoutsOf(provider);
      for (let retry = 0; ; retry += 1) {
        if (Date.now() >= run.deadlineAt) {
          // A JSON call ends here. A stream moves on to the next entry instead, which is still admitted (or skipped
          // and recorded) before this same check ends it too.
          if (!relay) throw new AllProvidersFailedError(run.attempts);
          break;
        }
        if (retry > 0) {
          const admission = admit(await acquire(provider.name));
          if (!admission.admitted) {
            record(run, entry, Date.now(), { outcome: 'skipped', skipReason: admission.skipReason });
            break;
          }
        }
        const startedAt = Date.now();
        const control = new AttemptControl(run.signal, timeouts.totalMs, run.deadlineAt);
        const callOptions = {
          model: entry.model,
          signal: control.signal,
          onRateLimit: onRateLimitFor(provider.name),
        };
        let completion!: ChatCompletion;
        let failure: LlmError | undefined;
        try {
          if (!relay) {
            completion = await provider.chat(request, callOptions);
          } else {
            const attemptRequest = relay.begin(provider, entry.model, control, timeouts);
            for await (const chunk of provider.chatStream(attemptRequest, callOptions)) {
              if (!relay.accept(chunk)) continue;
              for (let early = relay.takeHeld(); early; early = relay.takeHeld()) yield early;
              yield relay.pass(chunk);
            }
            relay.checkFinished();
          }
        } catch (thrown) {
          if (control.abortCause() === 'caller') throw (run.signal?.reason as Error | undefined) ?? thrown;
          // Once the finish reason arrived the answer is complete; only the trailer (usage, [DONE]) was lost.
          if (!relay?.finished) failure = classify(thrown, provider.name, control);
        } finally {
          // An unfinished stream's HTTP call is cancelled (it failed, or the caller stopped reading); a JSON call is over.
          control.dispose(relay !== undefined && !relay.finished);
        }
        const mark = relay?.continuation ? continuationMark : undefined;
        if (failure) {
          lastError = failure;
          record(run, entry, startedAt, {
            outcome: 'error',
            errorKind: failure.kind,
            status: failure.status,
            ...mark,
          });
          recordOutcome(provider.name, failure);
          relay?.failed();
          const answerStarted = relay?.answerStarted ?? false;
          // Only the original request's overflow narrows the chain; a cut answer goes on to the next provider.
          if (failure.kind === 'context_length' && !answerStarted)
            minimumWindow = raiseMinimumWindow(minimumWindow, provider.contextWindow(entry.model));
          const decision = decide(
            {
              kind: failure.kind,
              retryAfterMs: failure.retryAfterMs,
              retry,
              hasNext: index < run.chain.length - 1,
              remainingMs: run.deadlineAt - Date.now(),
              answerStarted,
              continuable: relay?.continuable ?? false,
            },
            retryPolicy,
          );
          if (decision.action === 'stop')
            throw answerStarted ? new StreamInterruptedError(run.attempts, failure) : failure;
          if (decision.action === 'fall_over') {
            fallbackEvent(run, entry, index, failure.kind, answerStarted);
            break;
          }
          await sleep(decision.waitMs, run.signal);
          continue;
        }
        record(run, entry, startedAt, { outcome: 'success', ...mark });
        recordOutcome(provider.name, undefined);
        if (!relay) {
          const model = completion.model || entry.model;
          if (completion.usage) reportUsage(run, provider.name, model, completion.usage);
          return {
            completion,
            provider: provider.name,
            model,
            attempts: run.attempts,
            usedFallback: index > 0,
          };
        }
        yield relay.succeeded(run.attempts, run.chain[0]?.provider);
        // Only once the caller has read the final chunk: a stream closed before it does not count as finished.
        relay.settle();
        return;
      }
    }
    if (relay?.answerStarted && lastError) throw new StreamInterruptedError(run.attempts, lastError);
    throw new AllProvidersFailedError(run.attempts);
  }

  async function chat(request: ChatRequest, callOptions: LlmCallOptions = {}): Promise<ChatResult> {
    // A JSON walk yields no chunk: its first step is its end.
    const { value } = await walkChain(startRun(callOptions, false), request).next();
    return value;
  }

  function chatStream(request: ChatRequest, callOptions: LlmCallOptions = {}): ChatStream {
    let resolve!: (outcome: StreamOutcome) => void;
    let reject!: (error: unknown) => void;
    const outcome = new Promise<StreamOutcome>((resolvePromise, rejectPromise) => {
      resolve = resolvePromise;
      reject = rejectPromise;
    });
    // The outcome is optional to await; an unobserved rejection must not crash the process.
    outcome.catch(() => undefined);
    let settled = false;
    const fail = (error: unknown): never => {
      settled = true;
      reject(error);
      throw error;
    };
    const settleClosed = <T>(result: T): T => {
      if (!settled) {
        settled = true;
        reject(new Error('The stream was closed before it finished.'));
      }
      return result;
    };
    return {
      outcome,
      // A forwarding iterator rather than another async generator around `walkChain`: one promise hop less per chunk.
      [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
        const run = startRun(callOptions, true);
        const relay = new StreamRelay(request, {
          continuation: continuationEnabled,
          onUsage: (provider, model, usage) => reportUsage(run, provider, model, usage),
          onOutcome(value) {
            settled = true;
            resolve(value);
          },
        });
        const chunks = walkChain(run, request, relay);
        return {
          next: () => chunks.next().then((result) => (result.done ? settleClosed(result) : result), fail),
          return: (value?: unknown) => chunks.return(value).then(settleClosed, fail),
          throw: (error?: unknown) => chunks.throw(error).then(settleClosed, fail),
        };
      },
    };
  }

  return {
    chat,
    chatStream,
    providerHealth: () => store.health([...providers.keys()]),
  };
}

export type { LlmErrorKind };
