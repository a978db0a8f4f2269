import type { AttemptEvent, FallbackEvent, LlmClientHooks, LlmEndpoint } from '@switchyard/llm';
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
 * to Prometheus metrics and the metrics, fallback and capability-gap rows. Usage is the spend meter's.
 */
export function createLlmRecording(options: LlmRecordingOptions) {
  const { prometheus, recorders, logger } = options;

  const warnNotRecorded = (reason: unknown) =>
    logger.warn({ reason: String(reason) }, 'capability gap not recorded');

  /** The client's hooks: every attempt and fallback becomes metrics and rows. */
  const hooks = {
    onAttempt(event: AttemptEvent) {
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

  /** A call that got its answer: its latency and overhead metrics (its usage goes to the usage stream). */
  function recordAnswer(call: RecordedCall, answer: RecordedAnswer, streaming: boolean): void {
    const now = new Date();
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
