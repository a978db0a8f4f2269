import {
  estimateTokens,
  type AttemptEvent,
  type ChainEntry,
  type ChatRequest,
  type LlmClientHooks,
  type UsageEvent as ClientUsageEvent,
} from '@switchyard/llm';
import type { QuotaEngine, Reservation } from './quota-engine.js';
import { RequestMeter, type MeterContext, type MeteredCall } from './request-meter.js';
import { SpendLimitError } from './spend-limit-error.js';

/** Options of `createSpendMetering`. */
export interface SpendMeteringOptions {
  engine: QuotaEngine;
  /** Redis unreachable: serve uncounted (true) or fail with `errors.unavailable('Redis')` (false). */
  failOpen: boolean;
  /** False: nothing is reserved or recorded (SPEND_METERING=off, for measuring what metering costs). */
  enabled?: boolean;
  onFailOpen?: () => void;
  /** Whether an error means Redis (`'Redis'`) or PostgreSQL did not answer. */
  isOutage: (error: unknown, dependency: 'Redis' | 'PostgreSQL') => boolean;
  /** The errors the caller answers with: a refused reservation, and an unavailable dependency. */
  errors: {
    limit: (error: SpendLimitError) => Error;
    unavailable: (dependency: 'Redis' | 'PostgreSQL') => Error;
  };
  logger: { warn(object: Record<string, unknown>, message: string): void };
}

/**
 * Meters LLM calls of the `@switchyard/llm` fallback client with the quota engine (gateway and worker alike): a request reserves its first attempt before any provider is called,
 * every later attempt re-reserves at its own provider's price when it starts (a wrapper around the provider), and
 * every attempt is settled, with its usage event, once — failed ones before the next attempt reserves, the rest
 * before the answer completes.
 */
export function createSpendMetering(options: SpendMeteringOptions) {
  const { engine } = options;
  const meters = new Map<string, RequestMeter>();

  /** Redis did not answer: fail open (nothing counted from here on) or the caller's unavailable error. */
  function onRedisError(error: unknown): 'open' {
    if (!options.isOutage(error, 'Redis')) throw error;
    if (!options.failOpen) throw options.errors.unavailable('Redis');
    options.onFailOpen?.();
    return 'open';
  }

  const context: MeterContext = {
    engine,
    meters,
    logger: options.logger,
    limitError: options.errors.limit,
    unavailable: options.errors.unavailable,
    onRedisError,
  };

  /** The client's hooks: attempts and usage reach the meter of their request. */
  const hooks = {
    onAttempt: (event: AttemptEvent) => {
      if (event.requestId) meters.get(event.requestId)?.attempted(event);
    },
    onUsage: (event: ClientUsageEvent) => {
      if (event.requestId) meters.get(event.requestId)?.usageReported(event);
    },
  } satisfies LlmClientHooks;

  return {
    hooks,
    /**
     * Admits a request: reserves its first attempt (the chain's first entry) against every limit of the user's
     * plan. Over a limit: `errors.limit(...)`; Redis away: `errors.unavailable('Redis')`, or uncounted with `failOpen`.
     */
    begin: async (
      call: MeteredCall,
      request: ChatRequest,
      first: ChainEntry | undefined,
    ): Promise<RequestMeter> => {
      let reservation: Reservation | 'open';
      const promptTokens = options.enabled === false ? 0 : estimateTokens(request.messages);
      try {
        reservation =
          first && options.enabled !== false
            ? await engine.reserve({
                userId: call.userId,
                apiKeyId: call.apiKeyId,
                provider: first.provider,
                model: first.model,
                promptTokens,
                maxTokens: request.max_completion_tokens ?? request.max_tokens,
                countRequest: true,
                uncounted: call.uncounted,
              })
            : 'open';
      } catch (error) {
        if (error instanceof SpendLimitError) throw options.errors.limit(error);
        if (options.isOutage(error, 'PostgreSQL')) throw options.errors.unavailable('PostgreSQL');
        reservation = onRedisError(error);
      }
      const meter = new RequestMeter(context, call, request, promptTokens, reservation);
      meters.set(call.usageId, meter);
      return meter;
    },
  };
}

/** The metering decorator. */
export type SpendMetering = ReturnType<typeof createSpendMetering>;
