import type { Redis } from 'ioredis';
import { abortableSleep } from '../abortable-sleep.js';
import { AttemptControl, classify } from '../attempt-control.js';
import type { BreakerOptions } from '../breaker/index.js';
import { createChainContext } from '../chain-context.js';
import { admit, attemptBudget, decide, resolveRetryPolicy, type RetryOptions } from '../chain-policy.js';
import { ChainRun } from '../chain-run.js';
import type { ProviderTimeouts } from '../chat-provider.js';
import type { ChainEntry, LlmClientHooks } from '../client-types.js';
import { LlmError, type AttemptRecord } from '../errors.js';
import { planEmbeddingChain, type EmbeddingDeployment } from './embedding-chain.js';
import type { EmbeddingProvider, EmbeddingRequest, EmbeddingResult } from './embedding-provider.js';

/** Options of `createEmbeddingClient`: the chat client's, for embedding providers. */
export interface EmbeddingClientOptions {
  providers: EmbeddingProvider[];
  /** The embedding models each provider (by name) serves, in fallback order. */
  deployments: EmbeddingDeployment[];
  /** Overall deadline of one request, every retry and fallback included, in ms. */
  deadlineMs: number;
  breaker?: BreakerOptions;
  /** Shares breaker and rate-limit state with every other client on the same Redis and prefix (the chat client's). */
  redis?: Redis;
  /** Prefix of the Redis keys (default `switchyard:`); the chat client's, so a provider has one breaker. */
  keyPrefix?: string;
  /** Reported with `endpoint: 'embeddings'`. */
  hooks?: LlmClientHooks;
  /** Timeouts of providers that carry none; an embeddings call is held to `totalMs` and its share of the deadline. */
  timeouts?: Partial<ProviderTimeouts>;
  retry?: RetryOptions;
}

/** Per-call options of `embed`. */
export interface EmbeddingCallOptions {
  /** The chain from `plan` (every deployment of the requested model). */
  chain: ChainEntry[];
  signal?: AbortSignal;
  deadlineMs?: number;
  requestId?: string;
  userId?: string;
  /**
   * Runs before each attempt is sent (e.g. a spend reservation at that deployment's price); what it throws ends the
   * attempt like the provider's own error would.
   */
  beforeAttempt?: (provider: string, model: string) => Promise<unknown>;
}

/** Vectors and how they were obtained. */
export interface EmbeddingAnswer {
  result: EmbeddingResult;
  provider: string;
  /** The model requested (every chain entry asks for the same one). */
  model: string;
  attempts: AttemptRecord[];
  usedFallback: boolean;
}

/**
 * Creates the embeddings fallback client: the chat client's policy (`decide`, `attemptBudget`, the breakers, the
 * error taxonomy, attempt hooks) over a chain that holds one model on several deployments. It never changes the
 * model, so a fallback answers with vectors comparable to the first choice's.
 */
export function createEmbeddingClient(options: EmbeddingClientOptions) {
  const context = createChainContext({
    providers: [],
    defaultChain: [],
    deadlineMs: options.deadlineMs,
    redis: options.redis,
    keyPrefix: options.keyPrefix,
    breaker: options.breaker,
    timeouts: options.timeouts,
  });
  const { acquire, report, release, onRateLimitFor, timeoutsOf } = context;
  const providers = new Map(options.providers.map((provider) => [provider.name, provider]));
  const retryPolicy = resolveRetryPolicy(options.retry);
  const runDefaults = {
    defaultChain: [],
    deadlineMs: options.deadlineMs,
    hedge: false,
    hooks: options.hooks ?? {},
    endpoint: 'embeddings' as const,
  };
  const deployments = options.deployments.filter((deployment) => providers.has(deployment.name));

  const providersLeft = (chain: ChainEntry[], index: number) =>
    chain.slice(index).filter((entry) => providers.has(entry.provider)).length;

  async function embed(
    request: EmbeddingRequest,
    callOptions: EmbeddingCallOptions,
  ): Promise<EmbeddingAnswer> {
    const run = new ChainRun(callOptions, false, runDefaults);
    for (let index = 0; index < run.chain.length; index += 1) {
      const entry = run.chain[index]!;
      const provider = providers.get(entry.provider);
      const admission = provider
        ? admit(await acquire(provider.name, entry.model))
        : ({ admitted: false, skipReason: 'provider_not_configured' } as const);
      if (!provider || !admission.admitted) {
        const skipReason = admission.admitted ? 'provider_not_configured' : admission.skipReason;
        run.record(entry, Date.now(), { outcome: 'skipped', skipReason });
        run.fallback(entry, index, skipReason, false);
        continue;
      }
      for (let retry = 0; ; retry += 1) {
        if (Date.now() >= run.deadlineAt) throw run.failure();
        if (retry > 0) {
          const again = admit(await acquire(provider.name, entry.model));
          if (!again.admitted) {
            run.record(entry, Date.now(), { outcome: 'skipped', skipReason: again.skipReason });
            break;
          }
        }
        const startedAt = Date.now();
        const budget = attemptBudget(
          run.deadlineAt - startedAt,
          providersLeft(run.chain, index),
          timeoutsOf(provider).totalMs,
        );
        const control = new AttemptControl(run.signal, budget, run.deadlineAt);
        let result: EmbeddingResult | undefined;
        let failure: LlmError | undefined;
        try {
          await callOptions.beforeAttempt?.(provider.name, entry.model);
          result = await provider.embed(request, {
            model: entry.model,
            signal: control.signal,
            onRateLimit: onRateLimitFor(provider.name),
          });
        } catch (thrown) {
          if (control.abortCause() === 'caller') {
            release(provider.name, entry.model);
            throw (run.signal?.reason as Error | undefined) ?? thrown;
          }
          failure = classify(thrown, provider.name, control);
        } finally {
          control.dispose();
        }
        if (!failure && result) {
          run.record(entry, startedAt, { outcome: 'success' });
          report(run, provider.name, entry.model, undefined);
          run.reportUsage(provider.name, entry.model, {
            prompt_tokens: result.usage.prompt_tokens,
            completion_tokens: 0,
            total_tokens: result.usage.total_tokens,
            ...(result.usage.estimated ? { estimated: true } : {}),
          });
          return {
            result,
            provider: provider.name,
            model: entry.model,
            attempts: run.attempts,
            usedFallback: index > 0,
          };
        }
        const error = failure!;
        run.record(entry, startedAt, { outcome: 'error', errorKind: error.kind, status: error.status });
        report(run, provider.name, entry.model, error);
        // Every entry runs the same model: an input too long for one deployment is too long for all of them.
        if (error.kind === 'context_length')
          throw new LlmError(error.message, {
            kind: error.kind,
            provider: error.provider,
            status: error.status,
            cause: error,
            param: 'input',
          });
        const decision = decide(
          {
            kind: error.kind,
            retryAfterMs: error.retryAfterMs,
            retry,
            hasNext: index < run.chain.length - 1,
            remainingMs: run.deadlineAt - Date.now(),
            answerStarted: false,
            continuable: false,
            durationMs: Date.now() - startedAt,
            fallbackOnRefusal: true,
            // Not pinned: the planner sent the model only to deployments configured to serve it, so a `not_found`
            // is that deployment's (its model breaker opens) and the next deployment of the model may answer.
            pinnedModel: false,
          },
          retryPolicy,
        );
        if (decision.action === 'stop' || decision.action === 'finish') throw error;
        if (decision.action === 'fall_over') {
          run.fallback(entry, index, error.kind, false);
          break;
        }
        await abortableSleep(decision.waitMs, run.signal);
      }
    }
    throw run.failure();
  }

  return {
    embed,
    /** The chain of a requested model over the configured deployments; empty when none serves it. */
    plan: (model: string) => planEmbeddingChain(model, deployments),
    /** Every `provider/model` pair served, for `GET /v1/models`. */
    models: () =>
      deployments.flatMap((deployment) =>
        deployment.models.map((model) => ({ provider: deployment.name, id: deployment.id, model })),
      ),
    /** Whether every deployment of a chain accepts token-id arrays as `input`. */
    acceptsTokens: (chain: readonly ChainEntry[]) =>
      chain.length > 0 && chain.every((entry) => providers.get(entry.provider)?.supportsTokenInput === true),
  };
}

/** The embeddings fallback client. */
export type EmbeddingClient = ReturnType<typeof createEmbeddingClient>;
