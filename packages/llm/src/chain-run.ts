import type { ChatProvider } from './chat-provider.js';
import type { ChatUsage } from './chat-types.js';
import type { ChainEntry, HookContext, LlmCallOptions, LlmClientHooks, LlmEndpoint } from './client-types.js';
import { AllProvidersFailedError, type AttemptRecord, type LlmError } from './errors.js';

/** What a run takes from its client: the defaults a call may override, and where it reports. */
export interface RunDefaults {
  defaultChain: ChainEntry[];
  deadlineMs: number;
  /** Whether streams hedge their first token unless the call says otherwise. */
  hedge: boolean;
  hooks: LlmClientHooks;
  /** Named in every hook event when not chat completions (the embedding client's runs). */
  endpoint?: LlmEndpoint;
}

function safely<T>(hook: ((event: T) => void) | undefined, event: T): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // A broken hook must not break the answer.
  }
}

/**
 * One request's walk down its chain: what its attempts, records and hook events share. Records each attempt,
 * reports usage and fallbacks to the hooks, and knows how the request fails when no provider answered.
 */
export class ChainRun {
  readonly chain: ChainEntry[];
  readonly context: HookContext;
  readonly attempts: AttemptRecord[] = [];
  readonly deadlineAt: number;
  readonly signal: AbortSignal | undefined;
  readonly callProviders: readonly ChatProvider[] | undefined;
  readonly pinnedModel: string | undefined;
  readonly waitForProbe: boolean;
  readonly hedge: boolean;
  /** A hedge was started (at most one per request). */
  hedged = false;
  /** The first content-policy refusal: how the request ends when no provider answers. */
  refusal: LlmError | undefined;
  private readonly hooks: LlmClientHooks;

  /** Whether this entry asks for the model the caller named. */
  isPinned(entry: ChainEntry): boolean {
    return this.pinnedModel !== undefined && entry.model === this.pinnedModel;
  }

  constructor(callOptions: LlmCallOptions, stream: boolean, defaults: RunDefaults) {
    this.chain =
      callOptions.chain && callOptions.chain.length > 0 ? callOptions.chain : defaults.defaultChain;
    this.context = {
      requestId: callOptions.requestId,
      userId: callOptions.userId,
      endpoint: callOptions.endpoint ?? defaults.endpoint,
      stream,
    };
    this.deadlineAt = Date.now() + (callOptions.deadlineMs ?? defaults.deadlineMs);
    this.signal = callOptions.signal;
    this.callProviders = callOptions.providers;
    this.pinnedModel = callOptions.pinnedModel;
    this.waitForProbe = callOptions.waitForProbe ?? false;
    this.hedge = stream && (callOptions.hedge ?? defaults.hedge);
    this.hooks = defaults.hooks;
  }

  /** Records one attempt (or skip) of `entry` that started at `startedAt` and reports it to `onAttempt`. */
  record(
    entry: ChainEntry,
    startedAt: number,
    extra: Partial<AttemptRecord> & Pick<AttemptRecord, 'outcome'>,
  ): void {
    const attempt: AttemptRecord = {
      provider: entry.provider,
      model: entry.model,
      attempt: this.attempts.length + 1,
      durationMs: Date.now() - startedAt,
      ...extra,
    };
    this.attempts.push(attempt);
    if (this.hooks.onAttempt) safely(this.hooks.onAttempt, { ...attempt, ...this.context });
  }

  /** Reports the usage of one provider's part of the answer (or of a cancelled hedge) to `onUsage`. */
  reportUsage(provider: string, model: string, usage: ChatUsage): void {
    safely(this.hooks.onUsage, { ...this.context, provider, model, usage });
  }

  /** Reports leaving `from` (at chain position `index`) for the next entry, if there is one. */
  fallback(from: ChainEntry, index: number, reason: string, afterFirstToken: boolean): void {
    const to = this.chain[index + 1];
    if (to) safely(this.hooks.onFallback, { ...this.context, from, to, reason, afterFirstToken });
  }

  /** How the request fails when no provider answered: a refusal, if one happened, else every attempt listed. */
  failure(): Error {
    return this.refusal ?? new AllProvidersFailedError(this.attempts);
  }
}
