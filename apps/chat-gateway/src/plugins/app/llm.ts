import type { ProvidersConfig, RuntimeConfig } from '@switchyard/config';
import {
  createLlmClient,
  createProvidersFromConfig,
  priceUsage,
  type ChainEntry,
  type ChatCompletionChunk,
  type ChatProvider,
  type ChatRequest,
  type ChatUsage,
} from '@switchyard/llm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ModelNotFoundError } from '../../errors.js';
import { knownModels, planChain } from '../../services/model-routing.js';

/** The fallback client as the gateway builds it. */
export type LlmClient = ReturnType<typeof createLlmClient>;

/** A request's route: the chain, and the user's own-key providers it names (passed to the client per call). */
export interface RoutePlan {
  chain: ChainEntry[];
  providers: ChatProvider[];
}

/** What a stream's headers can say before the answer is complete: the provider being tried or answering now. */
export interface StreamProgress {
  provider: string;
  model: string;
  /** Attempts started so far (including the current one). */
  attempts: number;
  /** Gateway time before the current attempt started (not spent waiting on providers). */
  overheadMs: number;
  /** True once that provider sent its first chunk (it accepted the request). */
  answered: boolean;
}

/**
 * Wraps a provider for one stream so the route learns which attempt is running and when it answered;
 * the client falls over between attempts without telling its caller, and SSE headers must name someone.
 */
function trackedForStream(
  provider: ChatProvider,
  progress: { current: StreamProgress | undefined; providerMs: number; startedAt: number },
): ChatProvider {
  return {
    id: provider.id,
    name: provider.name,
    supportsPrefill: provider.supportsPrefill,
    timeouts: provider.timeouts,
    contextWindow: (model) => provider.contextWindow(model),
    chat: (request, options) => provider.chat(request, options),
    chatStream(request, options) {
      const attemptStartedAt = performance.now();
      const state: StreamProgress = {
        provider: provider.name,
        model: options.model,
        attempts: (progress.current?.attempts ?? 0) + 1,
        overheadMs: Math.max(0, attemptStartedAt - progress.startedAt - progress.providerMs),
        answered: false,
      };
      progress.current = state;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        progress.providerMs += performance.now() - attemptStartedAt;
      };
      // A plain iterator, not an async generator: it adds one promise per chunk instead of a generator's hops.
      const inner = provider.chatStream(request, options)[Symbol.asyncIterator]();
      const iterator: AsyncIterator<ChatCompletionChunk> = {
        next: () =>
          inner.next().then(
            (result) => {
              if (result.done) finish();
              else if (!state.answered) {
                state.answered = true;
                if (result.value.model) state.model = result.value.model;
              }
              return result;
            },
            (error: unknown) => {
              finish();
              throw error;
            },
          ),
        return: (value?: unknown) => {
          finish();
          return inner.return
            ? inner.return(value)
            : Promise.resolve({ done: true as const, value: undefined });
        },
      };
      return { [Symbol.asyncIterator]: () => iterator };
    },
  };
}

interface CallOptions {
  signal: AbortSignal;
  requestId: string;
  userId: string;
  startedAt: number;
}

/** The LLM decorator: plans chains from `model` and preferences, and calls the fallback client. */
export function createLlmService(
  app: FastifyInstance,
  options: { providers: ProvidersConfig; runtime: RuntimeConfig; client?: LlmClient },
) {
  const configured = createProvidersFromConfig(options.providers);
  // In production `local` answers only when LLM_FALLBACK_ORDER names it; in development it stands in for missing keys.
  const localAllowed = !options.runtime.isProduction || options.providers.fallbackOrder.includes('local');
  const providers = configured.providers.filter((provider) => provider.id !== 'local' || localAllowed);
  const defaultChain = configured.defaultChain.filter((entry) =>
    providers.some((provider) => provider.name === entry.provider),
  );
  const usingLocalFallback =
    defaultChain.length > 0 && defaultChain.every((entry) => entry.provider === 'local');
  const routable = defaultChain.map((entry) => {
    const id = providers.find((candidate) => candidate.name === entry.provider)?.id ?? entry.provider;
    return { name: entry.provider, id, defaultModel: entry.model, models: knownModels(id, entry.model) };
  });

  const { prometheus, recorders } = app;
  // Shared, never mutated: rows keep a reference until they are flushed.
  const streamTags = { true: { stream: 'true' }, false: { stream: 'false' } } as const;
  // Own-key providers are named `<id>:own-<agent>`; metrics label them `<id>:own` to keep label cardinality bounded.
  const metricName = (provider: string) => {
    const own = provider.indexOf(':own-');
    return own < 0 ? provider : `${provider.slice(0, own)}:own`;
  };
  const client =
    options.client ??
    createLlmClient({
      providers,
      defaultChain,
      deadlineMs: options.providers.deadlineMs,
      redis: app.redis,
      keyPrefix: `${app.redisKeyPrefix}:`,
      timeouts: options.providers.timeouts,
      hooks: {
        onAttempt(event) {
          if (event.outcome === 'skipped') return;
          const provider = metricName(event.provider);
          prometheus.providerDurationFor(provider, event.outcome).observe(event.durationMs / 1000);
          if (event.outcome === 'error')
            prometheus.providerErrors.inc({ provider, kind: event.errorKind ?? 'unknown' });
          recorders.metrics.add({
            timestamp: new Date(),
            metricName: 'provider_latency_ms',
            value: event.durationMs,
            unit: 'ms',
            tags: event.errorKind
              ? {
                  provider: event.provider,
                  model: event.model,
                  outcome: event.outcome,
                  kind: event.errorKind,
                }
              : { provider: event.provider, model: event.model, outcome: event.outcome },
          });
          if (event.outcome === 'error') {
            recorders.usage.add({
              log: {
                requestId: event.requestId ?? 'unknown',
                userId: event.userId ?? null,
                provider: event.provider,
                model: event.model,
                endpoint: 'chat.completions',
                status: 'error',
                errorClass: event.errorKind ?? null,
                attempt: event.attempt,
                latencyMs: Math.round(event.durationMs),
                streaming: event.stream,
                createdAt: new Date(),
              },
              countsAsRequest: false,
              usedFallback: false,
            });
          }
        },
        onFallback(event) {
          prometheus.fallbacks.inc({
            from: metricName(event.from.provider),
            to: metricName(event.to.provider),
          });
          recorders.fallbacks.add({
            requestId: event.requestId ?? 'unknown',
            userId: event.userId ?? null,
            fromProvider: event.from.provider,
            fromModel: event.from.model,
            toProvider: event.to.provider,
            toModel: event.to.model,
            errorKind: event.reason,
            reason: event.afterFirstToken ? 'continued a cut stream' : null,
            streaming: event.stream,
            createdAt: new Date(),
          });
        },
      },
    });

  function recordAnswer(
    call: CallOptions,
    answer: {
      provider: string;
      model: string;
      usedFallback: boolean;
      attempts: { attempt: number; durationMs: number; outcome: string }[];
    },
    usage: ChatUsage | undefined,
    streaming: boolean,
  ): void {
    const success = answer.attempts.findLast((attempt) => attempt.outcome === 'success');
    // Own-key providers are named `<id>:own-...`; they cost what their provider charges.
    const providerId = answer.provider.split(':', 1)[0] ?? answer.provider;
    const now = new Date();
    const cost = usage ? (priceUsage(providerId, answer.model, usage)?.totalUsd ?? 0) : 0;
    recorders.usage.add({
      log: {
        requestId: call.requestId,
        userId: call.userId,
        provider: answer.provider,
        model: answer.model,
        endpoint: 'chat.completions',
        promptTokens: usage?.prompt_tokens ?? 0,
        completionTokens: usage?.completion_tokens ?? 0,
        cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        cost,
        latencyMs: Math.round(success?.durationMs ?? 0),
        status: 'success',
        attempt: success?.attempt ?? 1,
        fallbackFrom: answer.usedFallback
          ? ((
              answer.attempts.find((attempt) => attempt.outcome === 'error') as
                { provider?: string } | undefined
            )?.provider ?? null)
          : null,
        streaming,
        createdAt: now,
      },
      countsAsRequest: true,
      usedFallback: answer.usedFallback,
    });
    const totalMs = performance.now() - call.startedAt;
    const providerMs = answer.attempts.reduce((total, attempt) => total + attempt.durationMs, 0);
    recorders.metrics.add({
      timestamp: now,
      metricName: 'request_latency_ms',
      value: totalMs,
      unit: 'ms',
      tags: { provider: answer.provider, stream: streamTags[`${streaming}`].stream },
    });
    recorders.metrics.add({
      timestamp: now,
      metricName: 'gateway_overhead_ms',
      value: Math.max(0, totalMs - providerMs),
      unit: 'ms',
      tags: streamTags[`${streaming}`],
    });
  }

  function recordFailure(call: CallOptions, error: unknown, streaming: boolean): void {
    const code =
      error instanceof ModelNotFoundError
        ? 'model_not_found'
        : error instanceof Error
          ? error.name
          : 'unknown';
    prometheus.requestErrors.inc({ code });
    recorders.metrics.add({
      timestamp: new Date(),
      metricName: 'request_errors',
      value: 1,
      unit: 'count',
      tags: { code, stream: streamTags[`${streaming}`].stream },
    });
    const attempts = (error as { attempts?: { errorKind?: string }[] }).attempts;
    if (
      attempts &&
      attempts.length > 0 &&
      attempts.every((attempt) => attempt.errorKind === 'unsupported_feature')
    ) {
      recorders
        .recordCapabilityGap('request_feature', 'A request used a feature no configured provider supports.')
        .catch((reason: unknown) => app.log.warn({ reason: String(reason) }, 'capability gap not recorded'));
    }
  }

  const providerByName = new Map(providers.map((provider) => [provider.name, provider]));
  const noOwnProviders: ChatProvider[] = [];

  return {
    usingLocalFallback,
    providers: routable,
    client,
    providerIds: () => routable.map((provider) => provider.name),
    close: () => configured.close(),

    /** The route of a request: its `model`, the user's own keys (first), fallback order and default model. */
    async plan(request: ChatRequest, userId: string): Promise<RoutePlan> {
      const routing = await app.userRouting.get(userId);
      const { preferences } = routing;
      const model =
        request.model === 'auto' && preferences.defaultModel ? preferences.defaultModel : request.model;
      try {
        const chain = planChain(model, providers, defaultChain, preferences.fallbackOrder, routing.providers);
        return {
          chain,
          providers:
            routing.providers.length === 0 ? noOwnProviders : routing.providers.map((own) => own.provider),
        };
      } catch (error) {
        if (error instanceof ModelNotFoundError) {
          recorders
            .recordCapabilityGap(
              `model:${model.slice(0, 200)}`,
              `Requests for model ${model.slice(0, 200)}, which no configured provider serves.`,
            )
            .catch((reason: unknown) =>
              app.log.warn({ reason: String(reason) }, 'capability gap not recorded'),
            );
        }
        throw error;
      }
    },

    async chat(request: ChatRequest, plan: RoutePlan, call: CallOptions) {
      try {
        const answer = await client.chat(request, {
          chain: plan.chain,
          providers: plan.providers,
          signal: call.signal,
          requestId: call.requestId,
          userId: call.userId,
        });
        recordAnswer(call, answer, answer.completion.usage, false);
        return answer;
      } catch (error) {
        recordFailure(call, error, false);
        throw error;
      }
    },

    /**
     * A stream plus what is known while it runs: `progress()` names the provider being tried or answering
     * (for headers that must leave before the answer is complete), `outcome()` the final result.
     */
    chatStream(request: ChatRequest, plan: RoutePlan, call: CallOptions) {
      const progress = {
        current: undefined as StreamProgress | undefined,
        providerMs: 0,
        startedAt: call.startedAt,
      };
      const tracked: ChatProvider[] = [];
      for (const entry of plan.chain) {
        const provider =
          plan.providers.find((candidate) => candidate.name === entry.provider) ??
          providerByName.get(entry.provider);
        if (provider && !tracked.some((candidate) => candidate.name === provider.name))
          tracked.push(trackedForStream(provider, progress));
      }
      const stream = client.chatStream(request, {
        chain: plan.chain,
        providers: tracked,
        signal: call.signal,
        requestId: call.requestId,
        userId: call.userId,
      });
      // Recorded from the outcome, so no extra generator sits between the client and the socket for every chunk.
      const outcome = stream.outcome.then(
        (settled) => {
          recordAnswer(call, settled, settled.usage, true);
          return settled;
        },
        (error: unknown) => {
          recordFailure(call, error, true);
          throw error;
        },
      );
      // Awaited only after a complete stream; a failed one is already reported by iteration.
      outcome.catch(() => undefined);
      return { chunks: stream, progress: () => progress.current, outcome };
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

declare module 'fastify' {
  interface FastifyInstance {
    llm: LlmService;
  }
}

/** The fallback client and routing, wired to metrics, usage and fallback recorders. */
export default fp(
  function llm(
    app: FastifyInstance,
    options: { providers: ProvidersConfig; runtime: RuntimeConfig; client?: LlmClient },
  ) {
    const service = createLlmService(app, options);
    app.decorate('llm', service);
    // Provider pools close after the streams drained (preClose) and before the process exits.
    app.addHook('onClose', () => service.close());
    return Promise.resolve();
  },
  { name: 'llm', dependencies: ['observability', 'redis', 'user-routing'] },
);
