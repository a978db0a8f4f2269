import type { ProvidersConfig, RuntimeConfig } from '@switchyard/config';
import {
  createLlmClient,
  createProvidersFromConfig,
  type ChatProvider,
  type ChatRequest,
  type LlmCallOptions,
} from '@switchyard/llm';
import type { Redis } from 'ioredis';
import { createLlmRecording, type RecordedCall } from './llm-recording.js';
import type { RequestMeter, SpendMetering } from '@switchyard/spend';
import type { PrometheusMetrics } from './prometheus-metrics.js';
import { selectProviders } from './provider-selection.js';
import type { Recorders } from './recorders.js';
import { createRoutePlanner, type RoutePlan } from './route-planner.js';
import { createServedModels } from './served-models.js';
import { createStreamProgress } from './stream-progress.js';
import type { UserRouting } from './user-routing.js';

/** The fallback client as the gateway builds it. */
export type LlmClient = ReturnType<typeof createLlmClient>;

/** One call: who makes it, when it arrived, and the signal that aborts it. */
export interface CallOptions extends RecordedCall {
  signal: AbortSignal;
  /** `x-gateway-hedge`: true = hedge the first token, false = never, undefined = LLM_HEDGE_AFTER_MS decides. */
  hedge?: boolean | undefined;
  /** The request's spend meter (from `metering.begin`): every attempt reserves, and is settled, through it. */
  meter: RequestMeter;
}

interface LlmServiceOptions {
  providers: ProvidersConfig;
  runtime: RuntimeConfig;
  /** A prebuilt client (tests, benchmarks); by default one is built over the configured providers. */
  client?: LlmClient | undefined;
  redis: Redis;
  /** Prefix of the client's Redis keys (breakers, rate limits). */
  keyPrefix: string;
  prometheus: PrometheusMetrics;
  recorders: Recorders;
  metering: SpendMetering;
  userRouting: { get(userId: string): Promise<UserRouting> };
  logger: { warn(object: Record<string, unknown>, message: string): void };
}

/** The LLM decorator: plans chains from `model` and preferences, and calls the fallback client. */
export function createLlmService(options: LlmServiceOptions) {
  const configured = createProvidersFromConfig(options.providers);
  const served = createServedModels(options.providers);
  const { providers, defaultChain, usingLocalFallback, routable } = selectProviders(configured, {
    isProduction: options.runtime.isProduction,
    fallbackOrder: options.providers.fallbackOrder,
    served,
  });
  const recording = createLlmRecording(options);
  const client =
    options.client ??
    createLlmClient({
      providers,
      defaultChain,
      deadlineMs: options.providers.deadlineMs,
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      timeouts: options.providers.timeouts,
      fallbackOnRefusal: options.providers.fallbackOnRefusal,
      hedgeAfterMs: options.providers.hedgeAfterMs,
      hooks: {
        onAttempt: (event) => {
          recording.hooks.onAttempt(event);
          options.metering.hooks.onAttempt(event);
        },
        onFallback: (event) => recording.hooks.onFallback(event),
        onUsage: options.metering.hooks.onUsage,
      },
    });
  const planRoute = createRoutePlanner({
    providers,
    defaultChain,
    served,
    routingFor: (userId) => options.userRouting.get(userId),
    onUnknownModel: recording.recordUnknownModel,
  });
  const providerByName = new Map(providers.map((provider) => [provider.name, provider]));

  /** The chain's providers for one call, each wrapped by `wrap` (once per provider name). */
  function chainProviders(plan: RoutePlan, wrap: (provider: ChatProvider) => ChatProvider): ChatProvider[] {
    const wrapped: ChatProvider[] = [];
    for (const entry of plan.chain) {
      const provider =
        plan.providers.find((candidate) => candidate.name === entry.provider) ??
        providerByName.get(entry.provider);
      if (provider && !wrapped.some((candidate) => candidate.name === provider.name))
        wrapped.push(wrap(provider));
    }
    return wrapped;
  }

  function callOptions(plan: RoutePlan, call: CallOptions, providers: ChatProvider[]): LlmCallOptions {
    return {
      chain: plan.chain,
      providers,
      // A pinned model the provider does not serve is the caller's mistake, never the shared breaker's business.
      pinnedModel: plan.pinnedModel,
      hedge: call.hedge,
      signal: call.signal,
      // Hook events find the request's meter by this id (unique per call, unlike a client's x-request-id).
      requestId: call.meter.call.usageId,
      userId: call.userId,
      endpoint: call.endpoint,
    };
  }

  return {
    usingLocalFallback,
    providers: routable,
    client,
    providerIds: () => routable.map((provider) => provider.name),
    close: () => configured.close(),

    /** Admits a request against its user's plan and returns its meter (429 / 503 when refused). */
    meter: options.metering.begin,

    /** The route of a request: its `model`, the user's own keys (first), fallback order and default model. */
    plan: planRoute,

    /** A JSON answer; when it resolves, every attempt is settled and its usage event is in Redis. */
    async chat(request: ChatRequest, plan: RoutePlan, call: CallOptions) {
      const { meter } = call;
      let answer;
      try {
        answer = await client.chat(
          request,
          callOptions(
            plan,
            call,
            chainProviders(plan, (provider) => meter.track(provider)),
          ),
        );
      } catch (error) {
        recording.recordFailure(error, false);
        throw await meter.fail(error);
      }
      recording.recordAnswer(call, answer, false);
      const remaining = await meter.finish(answer.completion.usage);
      return { ...answer, remaining };
    },

    /**
     * A stream plus what is known while it runs: `progress()` names the provider being tried or answering
     * (for headers that must leave before the answer is complete), `outcome()` the final result.
     */
    chatStream(request: ChatRequest, plan: RoutePlan, call: CallOptions) {
      const progress = createStreamProgress(call.startedAt);
      const { meter } = call;
      const tracked = chainProviders(plan, (provider) => meter.track(progress.track(provider)));
      const stream = client.chatStream(request, callOptions(plan, call, tracked));
      // Recorded from the outcome, so no extra generator sits between the client and the socket for every chunk.
      // The route awaits `outcome` before `[DONE]`: an answered stream's usage events are in Redis by then.
      const outcome = stream.outcome.then(
        async (settled) => {
          recording.recordAnswer(call, settled, true);
          // Each contributor's own usage was reported per attempt; the summed usage is not the last attempt's.
          const remaining = await meter.finish(undefined);
          return { ...settled, remaining };
        },
        async (error: unknown) => {
          recording.recordFailure(error, true);
          throw await meter.fail(error);
        },
      );
      // Awaited only after a complete stream; a failed one is already reported by iteration.
      outcome.catch(() => undefined);
      return { chunks: stream, progress: progress.current, outcome };
    },

    models() {
      return routable.flatMap((provider) =>
        provider.models.map((model) => ({
          id: `${provider.id}/${model}`,
          object: 'model' as const,
          created: 0,
          owned_by: provider.id,
        })),
      );
    },
  };
}

/** The LLM decorator. */
export type LlmService = ReturnType<typeof createLlmService>;
