import type { Redis } from 'ioredis';
import type { ChatProvider, ProviderTimeouts, RateLimitSnapshot } from './chat-provider.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ChatUsage } from './chat-types.js';
import { buildContinuationRequest } from './continuation.js';
import {
  AllProvidersFailedError,
  LlmError,
  StreamInterruptedError,
  type AttemptRecord,
  type LlmErrorKind,
} from './errors.js';
import {
  countsAsProviderFailure,
  createMemoryHealthStore,
  createRedisHealthStore,
  type BreakerOptions,
  type Gate,
  type HealthStore,
  type ProviderHealth,
} from './health-store.js';

/** One step of a fallback chain: a provider (by name) and the model to ask it for. */
export interface ChainEntry {
  provider: string;
  model: string;
}

/** Context shared by every hook event of one request. */
export interface HookContext {
  requestId?: string;
  userId?: string;
  stream: boolean;
}

/** Reported after every attempt (and every skipped provider). */
export type AttemptEvent = AttemptRecord & HookContext;

/** Reported when the client leaves one provider for the next. */
export interface FallbackEvent extends HookContext {
  from: ChainEntry;
  to: ChainEntry;
  /** The error kind (or skip reason) that made the client move on. */
  reason: string;
  /** True when content had already reached the caller (a streaming continuation). */
  afterFirstToken: boolean;
}

/** Reported once per provider that produced (part of) an answer. */
export interface UsageEvent extends HookContext {
  provider: string;
  model: string;
  usage: ChatUsage;
}

/** How the apps observe the client; the library itself never logs. A throwing hook is ignored. */
export interface LlmClientHooks {
  onAttempt?: (event: AttemptEvent) => void;
  onFallback?: (event: FallbackEvent) => void;
  onUsage?: (event: UsageEvent) => void;
}

/** Same-provider retry policy for transient failures. */
export interface RetryOptions {
  /** Retries per provider per request (default 1). */
  maxRetries?: number;
  /** First backoff step in ms (default 100), doubled per retry, with jitter. */
  baseDelayMs?: number;
  /** Cap of one backoff step (default 2,000). */
  maxDelayMs?: number;
  /** When the provider asks for a longer wait than this and another provider is left, fall over instead (default 1,000). */
  maxRetryWaitMs?: number;
}

/** Options of `createLlmClient`. */
export interface LlmClientOptions {
  providers: ChatProvider[];
  /** The chain used when a call does not pass its own. */
  defaultChain: ChainEntry[];
  /** Overall deadline of one request (every retry and fallback included), in ms. */
  deadlineMs: number;
  breaker?: BreakerOptions;
  /** Shares breaker and rate-limit state across processes; without it, state is per process. */
  redis?: Redis;
  /** Prefix of the Redis keys (default `switchyard:`). */
  keyPrefix?: string;
  hooks?: LlmClientHooks;
  /** Continue a cut stream on the next provider (default true). */
  continuation?: boolean;
  /** Timeouts of providers that do not carry their own. */
  timeouts?: Partial<ProviderTimeouts>;
  retry?: RetryOptions;
}

/** Per-call options. */
export interface LlmCallOptions {
  /** Cancels the call (e.g. the HTTP client went away). */
  signal?: AbortSignal;
  /** Overrides the default chain (per user or per request). */
  chain?: ChainEntry[];
  /**
   * Providers for this call only (e.g. built from a user's own key), found by `name` before the client's own.
   * Breaker and rate-limit state are keyed by that name, so a failing user key never trips a shared provider.
   */
  providers?: readonly ChatProvider[];
  /** Overrides the client's deadline for this call. */
  deadlineMs?: number;
  requestId?: string;
  userId?: string;
}

/** A non-streamed answer and how it was obtained. */
export interface ChatResult {
  completion: ChatCompletion;
  provider: string;
  model: string;
  attempts: AttemptRecord[];
  /** True when the answer did not come from the first entry of the chain. */
  usedFallback: boolean;
}

/** How a finished stream was produced. */
export interface StreamOutcome {
  /** The provider/model that wrote the end of the answer. */
  provider: string;
  model: string;
  attempts: AttemptRecord[];
  /** Every provider that wrote part of the answer, in order; more than one after a continuation. */
  contributors: ChainEntry[];
  /** Sum over contributors; `estimated` when any part was counted with the tokenizer. */
  usage: ChatUsage;
  usedFallback: boolean;
}

/**
 * A streamed answer: iterate it for OpenAI chunks (the last one carries `usage` and `x_gateway`).
 * Iteration throws `LlmError` (`bad_request`) or `AllProvidersFailedError` before any content, and
 * `StreamInterruptedError` after content when the answer could not be completed.
 * `outcome` settles when iteration ends; it rejects with the same error (it never causes an unhandled rejection).
 */
export interface ChatStream extends AsyncIterable<ChatCompletionChunk> {
  readonly outcome: Promise<StreamOutcome>;
}

/** The fallback client. */
export interface LlmClient {
  chat(request: ChatRequest, options?: LlmCallOptions): Promise<ChatResult>;
  chatStream(request: ChatRequest, options?: LlmCallOptions): ChatStream;
  /** Breaker and rate-limit state of every configured provider, for a health endpoint. */
  providerHealth(): Promise<ProviderHealth[]>;
}

const defaultTimeouts: ProviderTimeouts = {
  connectMs: 5_000,
  firstTokenMs: 20_000,
  idleMs: 15_000,
  totalMs: 45_000,
};

type AbortCause = 'first_token' | 'idle' | 'total' | 'deadline';

class AttemptAbort extends Error {
  constructor(readonly timer: AbortCause) {
    super(`attempt aborted: ${timer}`);
  }
}

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

function hasContent(chunk: ChatCompletionChunk): boolean {
  for (const { delta } of chunk.choices)
    if (delta.content || delta.tool_calls?.length || delta.refusal) return true;
  return false;
}

function isFinishing(chunk: ChatCompletionChunk): boolean {
  for (const choice of chunk.choices)
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) return true;
  return false;
}

/**
 * Gives a provider's chunk the stream's id and creation time and, in a continuation, drops the repeated `role`.
 * In place: every chunk is a fresh object from its adapter, and this runs once per chunk.
 */
function normaliseChunk(
  chunk: ChatCompletionChunk,
  identity: { id: string; created: number },
  continuing: boolean,
): ChatCompletionChunk {
  chunk.id = identity.id;
  chunk.created = identity.created;
  if (continuing) {
    for (const choice of chunk.choices) {
      if (choice.delta.role === undefined) continue;
      const { role: _role, ...delta } = choice.delta;
      choice.delta = delta;
    }
  }
  return chunk;
}

function addUsage(total: ChatUsage | undefined, usage: ChatUsage): ChatUsage {
  if (!total) return { ...usage };
  const cached =
    (total.prompt_tokens_details?.cached_tokens ?? 0) + (usage.prompt_tokens_details?.cached_tokens ?? 0);
  return {
    prompt_tokens: total.prompt_tokens + usage.prompt_tokens,
    completion_tokens: total.completion_tokens + usage.completion_tokens,
    total_tokens: total.total_tokens + usage.total_tokens,
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(total.estimated || usage.estimated ? { estimated: true } : {}),
  };
}

function abortAttempt(controller: AbortController, cause: AbortCause): void {
  controller.abort(new AttemptAbort(cause));
}

/**
 * One attempt's abort controller: linked to the caller's signal, with a total/deadline timer and a
 * first-token/idle timer. Every timer and listener is released by `dispose()`. A class, and timers that take
 * their arguments, so an attempt allocates no closures on the hot path.
 */
class AttemptControl {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly totalTimer: NodeJS.Timeout;
  private tokenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    totalMs: number,
    deadlineAt: number,
  ) {
    this.signal = this.controller.signal;
    callerSignal?.addEventListener('abort', this, { once: true });
    const remaining = deadlineAt - Date.now();
    this.totalTimer = setTimeout(
      abortAttempt,
      Math.max(0, Math.min(totalMs, remaining)),
      this.controller,
      remaining <= totalMs ? 'deadline' : 'total',
    );
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.controller.abort(this.callerSignal?.reason);
  }

  /** Arms (or re-arms) the first-token / idle timer. */
  arm(cause: 'first_token' | 'idle', ms: number): void {
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.tokenTimer = setTimeout(abortAttempt, ms, this.controller, cause);
  }

  refresh(): void {
    this.tokenTimer?.refresh();
  }

  /** Why the attempt was aborted, if it was: a timer of ours, or the caller. */
  abortCause(): AbortCause | 'caller' | undefined {
    if (!this.signal.aborted) return undefined;
    const reason: unknown = this.signal.reason;
    return reason instanceof AttemptAbort ? reason.timer : 'caller';
  }

  /** Releases timers and listeners; `abort` also cancels the HTTP call (the consumer stopped early or it failed). */
  dispose(abort = false): void {
    if (abort && !this.signal.aborted) abortAttempt(this.controller, 'total');
    clearTimeout(this.totalTimer);
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.callerSignal?.removeEventListener('abort', this);
  }
}

/** Turns whatever an attempt threw into an `LlmError`, letting our own timers name the timeout. */
function classify(error: unknown, provider: string, control: AttemptControl): LlmError {
  const cause = control.abortCause();
  if (cause && cause !== 'caller') {
    const what = {
      first_token: 'send a first token',
      idle: 'send the next chunk',
      total: 'finish',
      deadline: 'answer before the request deadline',
    }[cause];
    return new LlmError(`Provider ${provider} did not ${what} in time.`, {
      kind: 'timeout',
      provider,
      cause: error,
    });
  }
  if (error instanceof LlmError) return error;
  return new LlmError(`Provider ${provider} failed unexpectedly.`, {
    kind: 'server',
    provider,
    cause: error,
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
  const maxRetries = options.retry?.maxRetries ?? 1;
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const maxDelayMs = options.retry?.maxDelayMs ?? 2_000;
  const maxRetryWaitMs = options.retry?.maxRetryWaitMs ?? 1_000;

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

  /** Runs the chain policy; `attempt` performs one call and returns its result or throws. */
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

  const backoffMs = (retry: number, error: LlmError) => {
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
    const jittered = step / 2 + Math.random() * (step / 2);
    return Math.max(jittered, error.retryAfterMs ?? 0);
  };

  /** Decides what to do after a failed attempt: throw to the caller, retry the same provider after a wait, or move on. */
  const decide = (
    error: LlmError,
    retry: number,
    run: ChainRun,
    hasNext: boolean,
  ): { action: 'throw' } | { action: 'retry'; waitMs: number } | { action: 'next' } => {
    if (error.kind === 'bad_request' || error.kind === 'content_filter') return { action: 'throw' };
    if (!error.retryable || retry >= maxRetries) return { action: 'next' };
    const waitMs = backoffMs(retry, error);
    const remaining = run.deadlineAt - Date.now();
    if (waitMs >= remaining) return { action: 'next' };
    if (hasNext && waitMs > maxRetryWaitMs) return { action: 'next' };
    return { action: 'retry', waitMs };
  };

  /** Whether a chain entry may be tried now; records a skip when not. */
  const admit = async (
    run: ChainRun,
    entry: ChainEntry,
    minimumWindow: number | undefined,
  ): Promise<ChatProvider | undefined> => {
    const provider =
      run.callProviders?.find((candidate) => candidate.name === entry.provider) ??
      providers.get(entry.provider);
    const now = Date.now();
    if (!provider) {
      record(run, entry, now, { outcome: 'skipped', skipReason: 'provider_not_configured' });
      return undefined;
    }
    if (minimumWindow !== undefined && (provider.contextWindow(entry.model) ?? 0) <= minimumWindow) {
      record(run, entry, now, { outcome: 'skipped', skipReason: 'context_window_too_small' });
      return undefined;
    }
    const gate = await acquire(provider.name);
    if (!gate.allowed) {
      record(run, entry, now, { outcome: 'skipped', skipReason: gate.reason });
      return undefined;
    }
    return provider;
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

  async function chat(request: ChatRequest, callOptions: LlmCallOptions = {}): Promise<ChatResult> {
    const run = startRun(callOptions, false);
    let minimumWindow: number | undefined;
    for (const [index, entry] of run.chain.entries()) {
      const provider = await admit(run, entry, minimumWindow);
      if (!provider) {
        fallbackEvent(run, entry, index, run.attempts.at(-1)?.skipReason ?? 'skipped', false);
        continue;
      }
      for (let retry = 0; ; retry += 1) {
        if (Date.now() >= run.deadlineAt) throw new AllProvidersFailedError(run.attempts);
        if (retry > 0) {
          const gate = await acquire(provider.name);
          if (!gate.allowed) {
            record(run, entry, Date.now(), { outcome: 'skipped', skipReason: gate.reason });
            break;
          }
        }
        const startedAt = Date.now();
        const control = new AttemptControl(run.signal, timeoutsOf(provider).totalMs, run.deadlineAt);
        try {
          const completion = await provider.chat(request, {
            model: entry.model,
            signal: control.signal,
            onRateLimit: onRateLimitFor(provider.name),
          });
          record(run, entry, startedAt, { outcome: 'success' });
          recordOutcome(provider.name, undefined);
          if (completion.usage)
            safely(hooks.onUsage, {
              ...run.context,
              provider: provider.name,
              model: completion.model || entry.model,
              usage: completion.usage,
            });
          return {
            completion,
            provider: provider.name,
            model: completion.model || entry.model,
            attempts: run.attempts,
            usedFallback: index > 0,
          };
        } catch (thrown) {
          if (control.abortCause() === 'caller') throw (run.signal?.reason as Error | undefined) ?? thrown;
          const error = classify(thrown, provider.name, control);
          record(run, entry, startedAt, { outcome: 'error', errorKind: error.kind, status: error.status });
          recordOutcome(provider.name, error);
          if (error.kind === 'context_length')
            minimumWindow = Math.max(minimumWindow ?? 0, provider.contextWindow(entry.model) ?? 0);
          const decision = decide(error, retry, run, index < run.chain.length - 1);
          if (decision.action === 'throw') throw error;
          if (decision.action === 'next') {
            fallbackEvent(run, entry, index, error.kind, false);
            break;
          }
          await sleep(decision.waitMs, run.signal);
        } finally {
          control.dispose();
        }
      }
    }
    throw new AllProvidersFailedError(run.attempts);
  }

  async function* streamChunks(
    request: ChatRequest,
    run: ChainRun,
    settle: { resolve(outcome: StreamOutcome): void },
  ): AsyncGenerator<ChatCompletionChunk> {
    let delivered = '';
    let firstTokenSent = false;
    let toolCallStarted = false;
    let identity: { id: string; created: number } | undefined;
    let usage: ChatUsage | undefined;
    let lastError: LlmError | undefined;
    let minimumWindow: number | undefined;
    const contributors: ChainEntry[] = [];

    for (const [index, entry] of run.chain.entries()) {
      const provider = await admit(run, entry, minimumWindow);
      if (!provider) {
        fallbackEvent(run, entry, index, run.attempts.at(-1)?.skipReason ?? 'skipped', firstTokenSent);
        continue;
      }
      const timeouts = timeoutsOf(provider);
      for (let retry = 0; ; retry += 1) {
        if (Date.now() >= run.deadlineAt) break;
        if (retry > 0) {
          const gate = await acquire(provider.name);
          if (!gate.allowed) {
            record(run, entry, Date.now(), { outcome: 'skipped', skipReason: gate.reason });
            break;
          }
        }
        const continuing = firstTokenSent;
        const attemptRequest = continuing
          ? buildContinuationRequest(request, delivered, provider.supportsPrefill)
          : request;
        const startedAt = Date.now();
        const control = new AttemptControl(run.signal, timeouts.totalMs, run.deadlineAt);
        control.arm('first_token', timeouts.firstTokenMs);
        let attemptContent = false;
        let finished = false;
        let attemptUsage: ChatUsage | undefined;
        let model = entry.model;
        const held: ChatCompletionChunk[] = [];
        let failure: LlmError | undefined;
        try {
          for await (const chunk of provider.chatStream(attemptRequest, {
            model: entry.model,
            signal: control.signal,
            onRateLimit: onRateLimitFor(provider.name),
          })) {
            if (chunk.usage) attemptUsage = chunk.usage;
            if (chunk.model) model = chunk.model;
            if (chunk.choices.length === 0) continue;
            const finishing = isFinishing(chunk);
            if (!attemptContent) {
              if (!hasContent(chunk) && !finishing) {
                held.push(chunk);
                continue;
              }
              attemptContent = true;
              firstTokenSent = true;
              contributors.push({ provider: provider.name, model });
              control.arm('idle', timeouts.idleMs);
              if (!continuing)
                for (const early of held)
                  yield normaliseChunk(early, (identity ??= { id: early.id, created: early.created }), false);
            } else {
              control.refresh();
            }
            for (const choice of chunk.choices) {
              if (choice.delta.content) delivered += choice.delta.content;
              if (choice.delta.tool_calls?.length) toolCallStarted = true;
            }
            if (finishing) finished = true;
            yield normaliseChunk(chunk, (identity ??= { id: chunk.id, created: chunk.created }), continuing);
          }
          if (!finished)
            throw new LlmError(`Provider ${provider.name} ended the stream before the answer was complete.`, {
              kind: 'network',
              provider: provider.name,
            });
        } catch (thrown) {
          if (control.abortCause() === 'caller') throw (run.signal?.reason as Error | undefined) ?? thrown;
          // Once the finish reason arrived the answer is complete; only the trailer (usage, [DONE]) was lost.
          if (!finished) failure = classify(thrown, provider.name, control);
        } finally {
          control.dispose(!finished || failure !== undefined);
        }
        if (failure) {
          const error = failure;
          lastError = error;
          record(run, entry, startedAt, {
            outcome: 'error',
            errorKind: error.kind,
            status: error.status,
            ...(continuing ? { continuation: true } : {}),
          });
          recordOutcome(provider.name, error);
          if (attemptUsage) {
            safely(hooks.onUsage, { ...run.context, provider: provider.name, model, usage: attemptUsage });
            usage = addUsage(usage, attemptUsage);
          }
          if (firstTokenSent) {
            // Rules 2 and 3 of the streaming contract: continue on the next provider, or end with an explicit error.
            // A continuation the provider refuses (e.g. a rejected prefill) is not the caller's fault: move on too.
            if (!continuationEnabled || toolCallStarted)
              throw new StreamInterruptedError(run.attempts, error);
            fallbackEvent(run, entry, index, error.kind, true);
            break;
          }
          if (error.kind === 'context_length')
            minimumWindow = Math.max(minimumWindow ?? 0, provider.contextWindow(entry.model) ?? 0);
          const decision = decide(error, retry, run, index < run.chain.length - 1);
          if (decision.action === 'throw') throw error;
          if (decision.action === 'next') {
            fallbackEvent(run, entry, index, error.kind, false);
            break;
          }
          await sleep(decision.waitMs, run.signal);
          continue;
        }
        record(run, entry, startedAt, { outcome: 'success', ...(continuing ? { continuation: true } : {}) });
        recordOutcome(provider.name, undefined);
        const finalUsage = attemptUsage ?? {
          prompt_tokens: 0,
          completion_tokens: 0,
          total_tokens: 0,
          estimated: true,
        };
        safely(hooks.onUsage, { ...run.context, provider: provider.name, model, usage: finalUsage });
        usage = addUsage(usage, finalUsage);
        if (contributors.length === 0) contributors.push({ provider: provider.name, model });
        const last = contributors.at(-1) ?? { provider: provider.name, model };
        const first = run.chain[0];
        yield {
          id: identity?.id ?? `chatcmpl-${Date.now()}`,
          object: 'chat.completion.chunk',
          created: identity?.created ?? Math.floor(Date.now() / 1000),
          model,
          choices: [],
          usage,
          x_gateway: { contributors, continued: contributors.length > 1 },
        };
        settle.resolve({
          provider: last.provider,
          model: last.model,
          attempts: run.attempts,
          contributors,
          usage,
          usedFallback: !first || first.provider !== contributors[0]?.provider,
        });
        return;
      }
    }
    if (firstTokenSent && lastError) throw new StreamInterruptedError(run.attempts, lastError);
    throw new AllProvidersFailedError(run.attempts);
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
      // A forwarding iterator rather than another async generator around `streamChunks`: one promise hop less per chunk.
      [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
        const chunks = streamChunks(request, startRun(callOptions, true), {
          resolve(value) {
            settled = true;
            resolve(value);
          },
        });
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
