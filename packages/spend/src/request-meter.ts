import { randomUUID } from 'node:crypto';
import {
  LlmError,
  type AttemptEvent,
  type ChatCompletionChunk,
  type ChatProvider,
  type ChatRequest,
  type ChatUsage,
  type UsageEvent as ClientUsageEvent,
} from '@switchyard/llm';
import type { AttemptUsage, QuotaEngine, Remaining, Reservation } from './quota-engine.js';
import { SpendLimitError } from './spend-limit-error.js';

/** Who makes a metered call. `usageId` names its usage events: unique, even when clients repeat `x-request-id`. */
export interface MeteredCall {
  usageId: string;
  userId: string;
  apiKeyId: string | null;
  /** `chat.completions`, `native-chat`, ... */
  endpoint: string;
  streaming: boolean;
  /** Recorded as usage, but not counted against the plan (the worker's calls on a plan that includes monitoring). */
  uncounted?: boolean;
}

/**
 * The id a request's usage events carry: its request id when the gateway generated it, else the client's id with a
 * random suffix, because `(request_id, attempt)` is unique in `api_usage_logs` and a client reusing an id must not
 * have its later calls dropped as duplicates (uncounted).
 */
export function usageIdFor(requestId: string, fromClient: boolean): string {
  return fromClient ? `${requestId.slice(0, 119)}.${randomUUID().slice(0, 8)}` : requestId;
}

/** The metered call of a chat request made with `principal`'s key. */
export function meteredCall(
  request: { id: string; headers: Record<string, unknown> },
  principal: { userId: string; keyId: string },
  endpoint: string,
  streaming: boolean,
): MeteredCall {
  return {
    usageId: usageIdFor(request.id, request.headers['x-request-id'] === request.id),
    userId: principal.userId,
    apiKeyId: principal.keyId,
    endpoint,
    streaming,
  };
}

/** An attempt as the client reported it, with the usage its provider reported for it (if any). */
interface SeenAttempt {
  event: AttemptEvent;
  usage: ChatUsage | undefined;
  reservation: Reservation | undefined;
  settled: boolean;
}

const zeroUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } satisfies ChatUsage;

/** Thrown inside a provider call when its reservation is refused: it ends the chain without touching a breaker. */
function refusedAttempt(provider: string): LlmError {
  return new LlmError('The request was stopped by a spend limit before it was sent.', {
    kind: 'bad_request',
    provider,
    beforeSend: true,
  });
}

/** What every meter shares with the metering that created it. */
export interface MeterContext {
  engine: QuotaEngine;
  meters: Map<string, RequestMeter>;
  logger: { warn(object: Record<string, unknown>, message: string): void };
  limitError(error: SpendLimitError): Error;
  unavailable(dependency: 'Redis' | 'PostgreSQL'): Error;
  onRedisError(error: unknown): 'open';
}

/** One request's meter: its reservations, its attempts as the client reports them, and their settlement. */
export class RequestMeter {
  readonly promptTokens: number;
  readonly maxTokens: number | undefined;
  /** Reserved and not yet used by an attempt (the first reservation, until the first attempt starts). */
  private idle: Reservation | undefined;
  private readonly inFlight = new Map<string, Reservation[]>();
  private readonly attempts: SeenAttempt[] = [];
  private open = false;
  private refusal: SpendLimitError | undefined;
  private outage = false;
  remaining: Remaining;

  constructor(
    private readonly context: MeterContext,
    readonly call: MeteredCall,
    request: ChatRequest,
    promptTokens: number,
    first: Reservation | 'open',
  ) {
    this.promptTokens = promptTokens;
    this.maxTokens = request.max_completion_tokens ?? request.max_tokens;
    if (first === 'open') {
      this.open = true;
      this.remaining = { requests: null, costUsd: null };
    } else {
      this.idle = first;
      this.remaining = first.remaining;
    }
  }

  /** The plan's completion cap, when it has one: requests sent upstream never ask for more than was reserved. */
  capped(request: ChatRequest, reservation: Reservation | undefined): ChatRequest {
    if (!reservation || reservation.plan.maxTokensPerRequest <= 0) return request;
    const bound = reservation.completionBound;
    return request.max_completion_tokens !== undefined
      ? { ...request, max_completion_tokens: bound }
      : { ...request, max_tokens: bound };
  }

  /** Holds a reservation for an attempt of `provider`/`model` that is about to be sent. */
  async hold(provider: string, model: string): Promise<Reservation | undefined> {
    await this.settleFailed(false);
    if (this.open) return undefined;
    let reservation = this.idle;
    this.idle = undefined;
    const providerId = provider.split(':', 1)[0];
    if (!reservation || reservation.providerId !== providerId || reservation.model !== model) {
      try {
        // The earlier hold goes back first, so the re-reservation at this provider's price has its room.
        if (reservation) await this.release(reservation);
        reservation = await this.context.engine.reserve({
          userId: this.call.userId,
          apiKeyId: this.call.apiKeyId,
          provider,
          model,
          promptTokens: this.promptTokens,
          maxTokens: this.maxTokens,
          countRequest: false,
        });
      } catch (error) {
        if (error instanceof SpendLimitError) {
          this.refusal = error;
          throw refusedAttempt(provider);
        }
        try {
          this.context.onRedisError(error);
        } catch {
          this.outage = true;
          throw refusedAttempt(provider);
        }
        this.open = true;
        return undefined;
      }
    }
    const queue = this.inFlight.get(provider) ?? [];
    queue.push(reservation);
    this.inFlight.set(provider, queue);
    this.remaining = reservation.remaining;
    return reservation;
  }

  /** Hook: an attempt ended (or was skipped). */
  attempted(event: AttemptEvent): void {
    const reservation = event.outcome === 'skipped' ? undefined : this.inFlight.get(event.provider)?.shift();
    this.attempts.push({ event, usage: event.usage, reservation, settled: event.outcome === 'skipped' });
  }

  /** Hook: a provider reported the usage of its part of the answer; it belongs to its latest attempt. */
  usageReported(event: ClientUsageEvent): void {
    const attempt = this.attempts.findLast(
      (seen) => seen.event.provider === event.provider && seen.event.outcome !== 'skipped',
    );
    if (attempt && !attempt.usage) attempt.usage = event.usage;
  }

  private async release(reservation: Reservation): Promise<void> {
    if (!reservation.counted) return;
    await this.context.engine.release(reservation);
  }

  private fallbackFrom(index: number): string | null {
    const current = this.attempts[index]!.event;
    for (let earlier = index - 1; earlier >= 0; earlier -= 1) {
      const previous = this.attempts[earlier]!.event;
      if (previous.provider !== current.provider && previous.outcome !== 'success') return previous.provider;
    }
    return null;
  }

  private usageOf(index: number, usage: ChatUsage, final: boolean): AttemptUsage {
    const { event } = this.attempts[index]!;
    const failed = event.outcome !== 'success';
    return {
      requestId: this.call.usageId,
      attempt: event.attempt,
      apiKeyId: this.call.apiKeyId,
      endpoint: this.call.endpoint,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      cachedTokens: Math.min(usage.prompt_tokens_details?.cached_tokens ?? 0, usage.prompt_tokens),
      tokensEstimated: usage.estimated ?? false,
      latencyMs: Math.max(0, Math.round(event.durationMs)),
      status: failed ? 'error' : 'success',
      errorKind: failed
        ? event.outcome === 'cancelled'
          ? 'hedge_cancelled'
          : (event.errorKind ?? 'unknown')
        : null,
      fallbackFrom: this.fallbackFrom(index),
      streaming: this.call.streaming,
      final,
      occurredAt: Date.now(),
    };
  }

  /** Settles one attempt with its event; an attempt without a reservation (fail-open) records nothing. */
  private async settleAttempt(
    index: number,
    usage: ChatUsage,
    final: boolean,
  ): Promise<Remaining | undefined> {
    const seen = this.attempts[index]!;
    seen.settled = true;
    if (!seen.reservation) return undefined;
    const settled = await this.context.engine.settle(seen.reservation, this.usageOf(index, usage, final));
    return settled.remaining;
  }

  /** Settles every failed attempt not settled yet; with `lastIsFinal`, the last one ended the request. */
  private async settleFailed(lastIsFinal: boolean): Promise<void> {
    const pending = this.attempts.flatMap((seen, index) =>
      !seen.settled && seen.event.outcome !== 'success' ? [index] : [],
    );
    await Promise.all(
      pending.map((index, position) =>
        this.settleAttempt(
          index,
          this.attempts[index]!.usage ?? zeroUsage,
          lastIsFinal && position === pending.length - 1,
        ),
      ),
    );
  }

  /** Reservations whose attempt never reported (the caller went away mid-call): the prompt was read, count it. */
  private async settleOrphans(final: boolean): Promise<boolean> {
    const orphans = [...this.inFlight.entries()].flatMap(([provider, queue]) =>
      queue.splice(0).map((reservation) => ({ provider, reservation })),
    );
    let attempt = Math.max(0, ...this.attempts.map((seen) => seen.event.attempt));
    await Promise.all(
      orphans.map(({ reservation }, position) => {
        attempt += 1;
        return this.context.engine.settle(reservation, {
          requestId: this.call.usageId,
          attempt,
          apiKeyId: this.call.apiKeyId,
          endpoint: this.call.endpoint,
          promptTokens: this.promptTokens,
          completionTokens: 0,
          cachedTokens: 0,
          tokensEstimated: true,
          latencyMs: null,
          status: 'error',
          errorKind: 'client_closed',
          fallbackFrom: null,
          streaming: this.call.streaming,
          final: final && position === orphans.length - 1,
          occurredAt: Date.now(),
        });
      }),
    );
    return orphans.length > 0;
  }

  /**
   * The request was answered: settles every attempt (the answering one to `usage`, final) with its event. When
   * this resolves, every event of the request is in Redis.
   */
  async finish(usage: ChatUsage | undefined): Promise<Remaining> {
    this.context.meters.delete(this.call.usageId);
    try {
      await this.settleFailed(false);
      await this.settleOrphans(false);
      const index = this.attempts.findLastIndex((seen) => seen.event.outcome === 'success');
      if (index >= 0) {
        const answered = this.attempts[index]!;
        const remaining = await this.settleAttempt(index, usage ?? answered.usage ?? zeroUsage, true);
        if (remaining) this.remaining = remaining;
      }
      if (this.idle) await this.release(this.idle);
    } catch (error) {
      // The answer exists; a settlement Redis could not take is logged, never turned into an error answer.
      this.context.logger.warn({ reason: String(error) }, 'usage not settled');
    }
    return this.remaining;
  }

  /**
   * The request failed: settles its attempts (the last one final, so the request counts, as an error) and
   * returns the error to answer with — a spend refusal or Redis outage met on a fallback replaces the chain's.
   */
  async fail(error: unknown): Promise<unknown> {
    this.context.meters.delete(this.call.usageId);
    try {
      const orphaned = await this.settleOrphans(true);
      await this.settleFailed(!orphaned);
      const anyEvent = orphaned || this.attempts.some((seen) => seen.reservation !== undefined);
      if (this.idle && !anyEvent) {
        // No attempt was made (every provider skipped): the request still counts, as one failed attempt.
        const reservation = this.idle;
        this.idle = undefined;
        const attempt = Math.max(1, ...this.attempts.map((seen) => seen.event.attempt));
        const entry = this.attempts.at(-1)?.event;
        await this.context.engine.settle(reservation, {
          requestId: this.call.usageId,
          attempt,
          apiKeyId: this.call.apiKeyId,
          endpoint: this.call.endpoint,
          promptTokens: 0,
          completionTokens: 0,
          cachedTokens: 0,
          tokensEstimated: false,
          latencyMs: null,
          status: 'error',
          errorKind: entry?.skipReason ?? entry?.errorKind ?? 'no_attempt',
          fallbackFrom: null,
          streaming: this.call.streaming,
          final: true,
          occurredAt: Date.now(),
        });
      }
      if (this.idle) await this.release(this.idle);
    } catch (settleError) {
      this.context.logger.warn({ reason: String(settleError) }, 'usage not settled');
    }
    if (this.refusal) return this.context.limitError(this.refusal);
    if (this.outage) return this.context.unavailable('Redis');
    return error;
  }

  /** Wraps a provider so each of its calls holds a reservation first (at its own price). */
  track(provider: ChatProvider): ChatProvider {
    const hold = (model: string) => this.hold(provider.name, model);
    const capped = (request: ChatRequest, reservation: Reservation | undefined) =>
      this.capped(request, reservation);
    return {
      id: provider.id,
      name: provider.name,
      supportsPrefill: provider.supportsPrefill,
      timeouts: provider.timeouts,
      contextWindow: (model) => provider.contextWindow(model),
      async chat(request, callOptions) {
        const reservation = await hold(callOptions.model);
        return provider.chat(capped(request, reservation), callOptions);
      },
      chatStream(request, callOptions) {
        // A plain iterator (not a generator): one hop per chunk; the hold happens on the first `next()`.
        let inner: AsyncIterator<ChatCompletionChunk> | undefined;
        return {
          [Symbol.asyncIterator]() {
            return {
              async next() {
                if (!inner) {
                  const reservation = await hold(callOptions.model);
                  const chunks = provider.chatStream(capped(request, reservation), callOptions);
                  inner = chunks[Symbol.asyncIterator]();
                }
                return inner.next();
              },
              async return(value?: unknown) {
                await inner?.return?.(value);
                return { done: true as const, value: undefined };
              },
            };
          },
        };
      },
    };
  }
}
