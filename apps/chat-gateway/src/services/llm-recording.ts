import {
  priceUsage,
  type LlmEndpoint,
  type AttemptEvent,
  type ChatUsage,
  type FallbackEvent,
  type LlmClientHooks,
} from '@switchyard/llm';
import { ModelNotFoundError } from '../errors.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';
import type { Recorders } from './recorders.js';

/** Who made a call and when it arrived (`performance.now()`), as its rows record it. */
export interface RecordedCall {
  requestId: string;
  userId: string;
  startedAt: number;
  /** The API called, as its usage row names it (default `chat.completions`). */
  endpoint?: LlmEndpoint;
}

/** A settled answer, as far as its rows need it. */
export interface RecordedAnswer {
  provider: string;
  model: string;
  usedFallback: boolean;
  attempts: { attempt: number; durationMs: number; outcome: string }[];
}

interface LlmRecordingOptions {
  prometheus: PrometheusMetrics;
  recorders: Recorders;
  logger: { warn(object: Record<string, unknown>, message: string): void };
}

// Shared, never mutated: rows keep a reference until they are flushed.
const streamTags = { true: { stream: 'true' }, false: { stream: 'false' } } as const;

// Own-key providers are named `<id>:own-<agent>`; metrics label them `<id>:own` to keep label cardinality bounded.
const metricName = (provider: string) => {
  const own = provider.indexOf(':own-');
  return own < 0 ? provider : `${provider.slice(0, own)}:own`;
};

/**
 * Maps what the LLM client reports (attempts, fallbacks) and how calls end (answer, failure, unknown model)
 * to Prometheus metrics and the metrics, usage, fallback and capability-gap rows.
 */
export function createLlmRecording(options: LlmRecordingOptions) {
  const { prometheus, recorders, logger } = options;

  const warnNotRecorded = (reason: unknown) =>
    logger.warn({ reason: String(reason) }, 'capability gap not recorded');

  /**
   * The usage row of an attempt that gave no answer: a failed one (`errorClass` its kind), or a cancelled hedge
   * whose upstream read the prompt (`usage`, so it costs) and answered nothing.
   */
  function recordUnanswered(attempt: AttemptEvent, errorClass: string | null, usage?: ChatUsage): void {
    const providerId = attempt.provider.split(':', 1)[0] ?? attempt.provider;
    recorders.usage.add({
      log: {
        requestId: attempt.requestId ?? 'unknown',
        userId: attempt.userId ?? null,
        provider: attempt.provider,
        model: attempt.model,
        endpoint: attempt.endpoint ?? 'chat.completions',
        ...(usage
          ? {
              promptTokens: usage.prompt_tokens,
              completionTokens: usage.completion_tokens,
              cost: priceUsage(providerId, attempt.model, usage)?.totalUsd ?? 0,
            }
          : {}),
        status: 'error',
        errorClass,
        attempt: attempt.attempt,
        latencyMs: Math.round(attempt.durationMs),
        streaming: attempt.stream,
        createdAt: new Date(),
      },
      countsAsRequest: false,
      usedFallback: false,
    });
  }

  /** The client's hooks: every attempt and fallback becomes metrics and rows. */
  const hooks = {
    onAttempt(event: AttemptEvent) {
      if (event.outcome === 'skipped') return;
      if (event.outcome === 'cancelled' && event.usage)
        recordUnanswered(event, 'hedge_cancelled', event.usage);
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
      if (event.outcome === 'error') recordUnanswered(event, event.errorKind ?? null);
    },
    onFallback(event: FallbackEvent) {
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
  } satisfies LlmClientHooks;

  /** A call that got its answer: its usage row (priced) and its latency and overhead metrics. */
  function recordAnswer(
    call: RecordedCall,
    answer: RecordedAnswer,
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
        endpoint: call.endpoint ?? 'chat.completions',
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

  /** A call that failed: its error metrics, and a capability gap when no provider supports what it asked. */
  function recordFailure(error: unknown, streaming: boolean): void {
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
        .catch(warnNotRecorded);
    }
  }

  /** A request named a model no configured provider serves: a capability gap. */
  function recordUnknownModel(model: string): void {
    recorders
      .recordCapabilityGap(
        `model:${model.slice(0, 200)}`,
        `Requests for model ${model.slice(0, 200)}, which no configured provider serves.`,
      )
      .catch(warnNotRecorded);
  }

  return { hooks, recordAnswer, recordFailure, recordUnknownModel };
}

/** The LLM client's metrics and rows. */
export type LlmRecording = ReturnType<typeof createLlmRecording>;
