import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProvidersConfig, RuntimeConfig } from '@switchyard/config';
import { createLlmClient, createProvidersFromConfig, priceUsage, type ChainEntry, type ChatProvider, type ChatRequest, type ChatUsage } from '@switchyard/llm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ModelNotFoundError } from '../../errors.js';
import { knownModels, planChain } from '../../services/model-routing.js';
import { readPreferences } from '../../services/preferences.js';

/** The fallback client as the gateway builds it. */
export type LlmClient = ReturnType<typeof createLlmClient>;

/** Per-request stream state: which provider is writing right now (set by the provider wrapper). */
interface StreamState {
  provider: string | undefined;
}

const streamState = new AsyncLocalStorage<StreamState>();

/** Reports the provider of each stream attempt to the request's AsyncLocalStorage slot, so SSE headers can name it. */
function tracked(provider: ChatProvider): ChatProvider {
  return {
    id: provider.id,
    name: provider.name,
    supportsPrefill: provider.supportsPrefill,
    contextWindow: (model) => provider.contextWindow(model),
    chat: (request, options) => provider.chat(request, options),
    chatStream(request, options) {
      const state = streamState.getStore();
      if (state) state.provider = provider.name;
      return provider.chatStream(request, options);
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
export function createLlmService(app: FastifyInstance, options: { providers: ProvidersConfig; runtime: RuntimeConfig; client?: LlmClient }) {
  const configured = createProvidersFromConfig(options.providers);
  // In production `local` answers only when LLM_FALLBACK_ORDER names it; in development it stands in for missing keys.
  const localAllowed = !options.runtime.isProduction || options.providers.fallbackOrder.includes('local');
  const providers = configured.providers.filter((provider) => provider.id !== 'local' || localAllowed);
  const defaultChain = configured.defaultChain.filter((entry) => providers.some((provider) => provider.name === entry.provider));
  const usingLocalFallback = defaultChain.length > 0 && defaultChain.every((entry) => entry.provider === 'local');
  const routable = defaultChain.map((entry) => {
    const id = providers.find((candidate) => candidate.name === entry.provider)?.id ?? entry.provider;
    return { name: entry.provider, id, defaultModel: entry.model, models: knownModels(id, entry.model) };
  });

  const { prometheus, recorders } = app;
  const client =
    options.client ??
    createLlmClient({
      providers: providers.map(tracked),
      defaultChain,
      deadlineMs: options.providers.deadlineMs,
      redis: app.redis,
      keyPrefix: `${app.redisKeyPrefix}:`,
      timeouts: options.providers.timeouts,
      hooks: {
        onAttempt(event) {
          if (event.outcome === 'skipped') return;
          prometheus.providerDuration.observe({ provider: event.provider, outcome: event.outcome }, event.durationMs / 1000);
          if (event.outcome === 'error') prometheus.providerErrors.inc({ provider: event.provider, kind: event.errorKind ?? 'unknown' });
          recorders.metrics.add({ metricName: 'provider_latency_ms', value: event.durationMs, unit: 'ms', tags: { provider: event.provider, model: event.model, outcome: event.outcome, ...(event.errorKind ? { kind: event.errorKind } : {}) } });
          if (event.outcome === 'error') {
            recorders.usage.add({
              log: { requestId: event.requestId ?? 'unknown', userId: event.userId ?? null, provider: event.provider, model: event.model, endpoint: 'chat.completions', status: 'error', errorClass: event.errorKind ?? null, attempt: event.attempt, latencyMs: Math.round(event.durationMs), streaming: event.stream },
              countsAsRequest: false,
              usedFallback: false,
            });
          }
        },
        onFallback(event) {
          prometheus.fallbacks.inc({ from: event.from.provider, to: event.to.provider });
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
          });
        },
      },
    });

  function recordAnswer(call: CallOptions, answer: { provider: string; model: string; usedFallback: boolean; attempts: { attempt: number; durationMs: number; outcome: string }[] }, usage: ChatUsage | undefined, streaming: boolean): void {
    const success = answer.attempts.findLast((attempt) => attempt.outcome === 'success');
    const cost = usage ? (priceUsage(answer.provider, answer.model, usage)?.totalUsd ?? 0) : 0;
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
        fallbackFrom: answer.usedFallback ? (answer.attempts.find((attempt) => attempt.outcome === 'error') as { provider?: string } | undefined)?.provider ?? null : null,
        streaming,
      },
      countsAsRequest: true,
      usedFallback: answer.usedFallback,
    });
    const totalMs = performance.now() - call.startedAt;
    const providerMs = answer.attempts.reduce((total, attempt) => total + attempt.durationMs, 0);
    recorders.metrics.add({ metricName: 'request_latency_ms', value: totalMs, unit: 'ms', tags: { provider: answer.provider, stream: String(streaming) } });
    recorders.metrics.add({ metricName: 'gateway_overhead_ms', value: Math.max(0, totalMs - providerMs), unit: 'ms', tags: { stream: String(streaming) } });
  }

  function recordFailure(call: CallOptions, error: unknown, streaming: boolean): void {
    const code = error instanceof ModelNotFoundError ? 'model_not_found' : error instanceof Error ? error.name : 'unknown';
    prometheus.requestErrors.inc({ code });
    recorders.metrics.add({ metricName: 'request_errors', value: 1, unit: 'count', tags: { code, stream: String(streaming) } });
    const attempts = (error as { attempts?: { errorKind?: string }[] }).attempts;
    if (attempts && attempts.length > 0 && attempts.every((attempt) => attempt.errorKind === 'unsupported_feature')) {
      recorders.recordCapabilityGap('request_feature', 'A request used a feature no configured provider supports.').catch((reason: unknown) => app.log.warn({ reason: String(reason) }, 'capability gap not recorded'));
    }
  }

  return {
    usingLocalFallback,
    providers: routable,
    client,
    providerIds: () => routable.map((provider) => provider.name),
    close: () => configured.close(),

    /** The chain for a request: its `model`, the user's fallback order and default model. */
    async plan(request: ChatRequest, userId: string): Promise<ChainEntry[]> {
      const preferences = await preferencesFor(userId);
      const model = request.model === 'auto' && preferences.defaultModel ? preferences.defaultModel : request.model;
      try {
        return planChain(model, providers, defaultChain, preferences.fallbackOrder);
      } catch (error) {
        if (error instanceof ModelNotFoundError) {
          recorders.recordCapabilityGap(`model:${model.slice(0, 200)}`, `Requests for model ${model.slice(0, 200)}, which no configured provider serves.`).catch((reason: unknown) => app.log.warn({ reason: String(reason) }, 'capability gap not recorded'));
        }
        throw error;
      }
    },

    async chat(request: ChatRequest, chain: ChainEntry[], call: CallOptions) {
      try {
        const answer = await client.chat(request, { chain, signal: call.signal, requestId: call.requestId, userId: call.userId });
        recordAnswer(call, answer, answer.completion.usage, false);
        return answer;
      } catch (error) {
        recordFailure(call, error, false);
        throw error;
      }
    },

    /** A stream plus what is known while it runs: `current()` names the answering provider once content flows. */
    chatStream(request: ChatRequest, chain: ChainEntry[], call: CallOptions) {
      const state: StreamState = { provider: undefined };
      const stream = client.chatStream(request, { chain, signal: call.signal, requestId: call.requestId, userId: call.userId });
      let model: string | undefined;
      let usage: ChatUsage | undefined;
      let outcome: Awaited<typeof stream.outcome> | undefined;
      async function* chunks() {
        const iterator = stream[Symbol.asyncIterator]();
        try {
          for (;;) {
            const next = await streamState.run(state, () => iterator.next());
            if (next.done) break;
            model = next.value.model;
            if (next.value.usage) usage = next.value.usage;
            yield next.value;
          }
          outcome = await stream.outcome;
          recordAnswer(call, outcome, outcome.usage, true);
        } catch (error) {
          recordFailure(call, error, true);
          throw error;
        } finally {
          await iterator.return?.();
        }
      }
      return {
        chunks: chunks(),
        usage: () => usage,
        current() {
          if (outcome) return outcome;
          const provider = state.provider;
          if (!provider || !model) return undefined;
          return { provider, model, attempts: [], usedFallback: chain[0]?.provider !== provider };
        },
      };
    },

    models() {
      return routable.flatMap((provider) => provider.models.map((model) => ({ id: `${provider.id}/${model}`, object: 'model' as const, created: 0, owned_by: provider.id })));
    },
  };

  function preferencesFor(userId: string) {
    return app.userRouting.preferences(userId, () => readPreferences(app.userdata, userId));
  }
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
  function llm(app: FastifyInstance, options: { providers: ProvidersConfig; runtime: RuntimeConfig; client?: LlmClient }) {
    const service = createLlmService(app, options);
    app.decorate('llm', service);
    // Provider pools close after the streams drained (preClose) and before the process exits.
    app.addHook('onClose', () => service.close());
    return Promise.resolve();
  },
  { name: 'llm', dependencies: ['observability', 'redis', 'user-routing'] },
);
