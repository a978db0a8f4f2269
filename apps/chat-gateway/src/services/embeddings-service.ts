import type { ProvidersConfig } from '@switchyard/config';
import {
  createEmbeddingClient,
  createEmbeddingProvidersFromConfig,
  type EmbeddingClient,
  type EmbeddingRequest,
} from '@switchyard/llm';
import type { RequestMeter, SpendMetering } from '@switchyard/spend';
import type { Redis } from 'ioredis';
import { InvalidValueError, ModelNotFoundError, withParam } from '../errors.js';
import { createLlmRecording, type RecordedCall } from './llm-recording.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';
import type { Recorders } from './recorders.js';

interface EmbeddingsServiceOptions {
  providers: ProvidersConfig;
  redis: Redis;
  /** The chat client's prefix: a provider's embeddings and chat share its breaker and rate-limit state. */
  keyPrefix: string;
  prometheus: PrometheusMetrics;
  recorders: Recorders;
  metering: SpendMetering;
  logger: { warn(object: Record<string, unknown>, message: string): void };
}

/** One embeddings call: who makes it, when it arrived, the signal that aborts it, and its spend meter. */
export interface EmbeddingCall extends RecordedCall {
  signal: AbortSignal;
  meter: RequestMeter;
}

/**
 * The embeddings decorator: plans a model's chain (every deployment serving it, never another model), calls the
 * embedding client with the same recording hooks as chat (usage rows with endpoint `embeddings`), and lists the
 * served embedding models.
 */
export function createEmbeddingsService(options: EmbeddingsServiceOptions) {
  const configured = createEmbeddingProvidersFromConfig(options.providers);
  const recording = createLlmRecording(options);
  const client: EmbeddingClient = createEmbeddingClient({
    providers: configured.providers,
    deployments: configured.deployments,
    deadlineMs: options.providers.deadlineMs,
    redis: options.redis,
    keyPrefix: options.keyPrefix,
    timeouts: options.providers.timeouts,
    hooks: {
      onAttempt: (event) => {
        recording.hooks.onAttempt(event);
        options.metering.hooks.onAttempt(event);
      },
      onFallback: (event) => recording.hooks.onFallback(event),
      onUsage: options.metering.hooks.onUsage,
    },
  });

  return {
    close: () => configured.close(),

    /** The chain of `model`; 404 `model_not_found` (and a capability gap) when no deployment serves it. */
    plan(model: string, tokens: boolean) {
      const chain = client.plan(model);
      if (chain.length === 0) {
        recording.recordUnknownModel(model);
        throw withParam(new ModelNotFoundError(model), 'model');
      }
      if (tokens && !client.acceptsTokens(chain))
        throw withParam(
          new InvalidValueError(
            `\`input\` holds token ids, but model ${chain[0]!.model} is served by a provider that takes text only; send strings.`,
          ),
          'input',
        );
      return chain;
    },

    /**
     * Embeds through the chain; every attempt holds a reservation at its deployment's price first. When it
     * resolves, every attempt is settled and its usage event is in Redis.
     */
    async embed(request: EmbeddingRequest, chain: ReturnType<EmbeddingClient['plan']>, call: EmbeddingCall) {
      const { meter } = call;
      let answer;
      try {
        answer = await client.embed(request, {
          chain,
          signal: call.signal,
          // Hook events find the request's meter by this id (unique per call, unlike a client's x-request-id).
          requestId: meter.call.usageId,
          userId: call.userId,
          beforeAttempt: (provider, model) => meter.hold(provider, model),
        });
      } catch (error) {
        recording.recordFailure(error, false);
        throw await meter.fail(error);
      }
      recording.recordAnswer({ ...call, endpoint: 'embeddings' }, answer, false);
      const { usage } = answer.result;
      const remaining = await meter.finish({
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: 0,
        total_tokens: usage.total_tokens,
        ...(usage.estimated ? { estimated: true } : {}),
      });
      return { ...answer, remaining };
    },

    /** Every served `provider/model` embedding id, for `GET /v1/models`. */
    models() {
      return client.models().map((entry) => ({
        id: `${entry.id}/${entry.model}`,
        object: 'model' as const,
        created: 0,
        owned_by: entry.id,
      }));
    },
  };
}

/** The embeddings decorator. */
export type EmbeddingsService = ReturnType<typeof createEmbeddingsService>;
