import type { ProvidersConfig } from '@switchyard/config';
import {
  createEmbeddingClient,
  createEmbeddingProvidersFromConfig,
  type EmbeddingClient,
  type EmbeddingRequest,
} from '@switchyard/llm';
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
  logger: { warn(object: Record<string, unknown>, message: string): void };
}

/** One embeddings call: who makes it, when it arrived, and the signal that aborts it. */
export interface EmbeddingCall extends RecordedCall {
  signal: AbortSignal;
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
    hooks: recording.hooks,
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

    async embed(request: EmbeddingRequest, chain: ReturnType<EmbeddingClient['plan']>, call: EmbeddingCall) {
      try {
        const answer = await client.embed(request, {
          chain,
          signal: call.signal,
          requestId: call.requestId,
          userId: call.userId,
        });
        const { usage } = answer.result;
        recording.recordAnswer(
          { ...call, endpoint: 'embeddings' },
          answer,
          { prompt_tokens: usage.prompt_tokens, completion_tokens: 0, total_tokens: usage.total_tokens },
          false,
        );
        return answer;
      } catch (error) {
        recording.recordFailure(error, false);
        throw error;
      }
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
