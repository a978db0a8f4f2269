import { abortableSleep } from './abortable-sleep.js';
import { AttemptControl, classify } from './attempt-control.js';
import {
  admit,
  attemptBudget,
  decide,
  hedgeDelay,
  raiseMinimumWindow,
  resolveRetryPolicy,
} from './chain-policy.js';
import { createChainContext } from './chain-context.js';
import { ChainRun } from './chain-run.js';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from './chat-types.js';
import { createChatStream } from './chat-stream.js';
import type { ChatResult, LlmCallOptions, LlmClient, LlmClientOptions } from './client-types.js';
import { StreamInterruptedError, type LlmError, type LlmErrorKind } from './errors.js';
import { FirstTokenStats } from './first-token-stats.js';
import { createHedgeHooks } from './hedge-hooks.js';
import { keptStream, raceFirstToken, type HedgeRunner } from './hedge.js';
import { providerError } from './providers/shared/index.js';
import { StreamRelay } from './stream-relay.js';

export type { RetryOptions } from './chain-policy.js';
export type {
  AttemptEvent,
  ChainEntry,
  ChatResult,
  ChatStream,
  FallbackEvent,
  HookContext,
  LlmEndpoint,
  LlmCallOptions,
  LlmClient,
  LlmClientHooks,
  LlmClientOptions,
  StreamOutcome,
  UsageEvent,
} from './client-types.js';

/** Spread into attempt records; shared, as they are only ever copied. */
const continuationMark = { continuation: true } as const;
const hedgeMark = { hedged: true } as const;

/** A JSON answer with nothing but a content-policy finish is a refusal, whichever adapter produced it. */
function refusedCompletion(completion: ChatCompletion): boolean {
  const choice = completion.choices[0];
  return (
    choice?.finish_reason === 'content_filter' &&
    !choice.message.content &&
    !choice.message.tool_calls?.length
  );
}

/** Creates the fallback client: retry, fallback, circuit breaking, rate-limit avoidance and the streaming contract. */
export function createLlmClient(options: LlmClientOptions): LlmClient {
  const continuationEnabled = options.continuation ?? true;
  const fallbackOnRefusal = options.fallbackOnRefusal ?? true;
  const retryPolicy = resolveRetryPolicy(options.retry);
  const firstTokens = new FirstTokenStats();
  const runDefaults = {
    defaultChain: options.defaultChain,
    deadlineMs: options.deadlineMs,
    hedge: options.hedgeAfterMs !== undefined,
    hooks: options.hooks ?? {},
  };

  const context = createChainContext(options);
  const { store, timeoutsOf, acquire, report, release, onRateLimitFor, providersLeft, admitEntry } = context;

  /**
   * The one walk down a chain, for a JSON answer (no `relay`) and a stream alike: admission, the deadline and each
   * attempt's share of it, retries of the same provider, a hedged first token, each attempt's timers and
   * classification, records, the policy's decision, fallback events and backoff. A stream's chunks are read here and
   * handed to its relay rather than re-yielded from a generator of the relay's own, so each chunk crosses one
   * generator between the provider and the caller.
   */
  function walkChain(run: ChainRun, request: ChatRequest): AsyncGenerator<never, ChatResult>;
  function walkChain(
    run: ChainRun,
    request: ChatRequest,
    relay: StreamRelay,
  ): AsyncGenerator<ChatCompletionChunk>;
  async function* walkChain(
    run: ChainRun,
    request: ChatRequest,
    relay?: StreamRelay,
  ): AsyncGenerator<ChatCompletionChunk, ChatResult | undefined> {
    let minimumWindow: number | undefined;
    let lastError: LlmError | undefined;
    for (let index = 0; index < run.chain.length; index += 1) {
      let entry = run.chain[index]!;
      let provider = await admitEntry(run, entry, index, minimumWindow);
      if (!provider) {
        const reason = run.attempts.at(-1)?.skipReason ?? 'skipped';
        run.fallback(entry, index, reason, relay?.answerStarted ?? false);
        continue;
      }
      for (let retry = 0; ; retry += 1) {
        if (Date.now() >= run.deadlineAt) {
          // A JSON call ends here. A stream moves on to the next entry instead, which is still admitted (or skipped
          // and recorded) before this same check ends it too.
          if (!relay) throw run.failure();
          break;
        }
        if (retry > 0) {
          const admission = admit(await acquire(provider.name, entry.model));
          if (!admission.admitted) {
            run.record(entry, Date.now(), { outcome: 'skipped', skipReason: admission.skipReason });
            break;
          }
        }
        let timeouts = timeoutsOf(provider);
        let startedAt = Date.now();
        const budget = attemptBudget(
          run.deadlineAt - startedAt,
          providersLeft(run, index),
          relay ? timeouts.firstTokenMs : timeouts.totalMs,
        );
        let control = new AttemptControl(run.signal, relay ? timeouts.totalMs : budget, run.deadlineAt);
        let hedged = false;
        let raced = false;
        let completion!: ChatCompletion;
        let failure: LlmError | undefined;
        try {
          const callOptions = {
            model: entry.model,
            signal: control.signal,
            onRateLimit: onRateLimitFor(provider.name),
          };
          if (!relay) {
            completion = await provider.chat(request, callOptions);
            if (refusedCompletion(completion))
              throw providerError(provider.name, 'content_filter', { reason: 'content_filter' });
          } else {
            const timing = { firstTokenMs: budget, idleMs: timeouts.idleMs, startedAt };
            const attemptRequest = relay.begin(provider, entry.model, control, timing);
            let chunks = provider.chatStream(attemptRequest, callOptions);
            const delay =
              run.hedge && !run.hedged && !relay.answerStarted && index < run.chain.length - 1
                ? hedgeDelay(
                    options.hedgeAfterMs ?? 'auto',
                    firstTokens.p95(provider.name),
                    timeouts.firstTokenMs,
                  )
                : undefined;
            if (delay !== undefined && delay < budget) {
              const first: HedgeRunner = {
                index,
                entry,
                provider,
                control,
                startedAt,
                hedged: false,
                iterator: chunks[Symbol.asyncIterator](),
                held: [],
                pending: undefined,
              };
              const outcome = await raceFirstToken(
                first,
                delay,
                createHedgeHooks(context, run, request, index, fallbackOnRefusal),
              );
              ({ entry, provider, control, startedAt, hedged } = outcome.runner);
              raced = run.hedged;
              index = outcome.error === undefined ? outcome.runner.index : outcome.lastIndex;
              timeouts = timeoutsOf(provider);
              // The failure of the last attempt standing: handled below like any attempt's.
              if (outcome.error !== undefined) throw outcome.error as Error;
              relay.begin(provider, entry.model, control, { ...timing, idleMs: timeouts.idleMs, startedAt });
              chunks = keptStream(outcome.runner);
            }
            for await (const chunk of chunks) {
              if (!relay.accept(chunk)) continue;
              for (let early = relay.takeHeld(); early; early = relay.takeHeld()) yield early;
              yield relay.pass(chunk);
            }
            relay.checkFinished();
          }
        } catch (thrown) {
          if (control.abortCause() === 'caller') {
            release(provider.name, entry.model);
            throw (run.signal?.reason as Error | undefined) ?? thrown;
          }
          // Once the finish reason arrived the answer is complete; only the trailer (usage, [DONE]) was lost.
          if (!relay?.finished) failure = classify(thrown, provider.name, control);
        } finally {
          // An unfinished stream's HTTP call is cancelled (it failed, or the caller stopped reading); a JSON call is over.
          control.dispose(relay !== undefined && !relay.finished);
        }
        const marks = {
          ...(relay?.continuation ? continuationMark : undefined),
          ...(hedged ? hedgeMark : undefined),
        };
        if (failure) {
          lastError = failure;
          run.record(entry, startedAt, {
            outcome: 'error',
            errorKind: failure.kind,
            status: failure.status,
            ...marks,
          });
          report(run, provider.name, entry.model, failure);
          const answerStarted = relay?.answerStarted ?? false;
          if (failure.kind === 'content_filter' && !answerStarted) run.refusal ??= failure;
          // Only the original request's overflow narrows the chain; a cut answer goes on to the next provider.
          if (failure.kind === 'context_length' && !answerStarted)
            minimumWindow = raiseMinimumWindow(minimumWindow, provider.contextWindow(entry.model));
          const decision = decide(
            {
              kind: failure.kind,
              retryAfterMs: failure.retryAfterMs,
              // After a hedged start both providers had their try: no retry, the walk goes on after them.
              retry: raced ? retryPolicy.maxRetries : retry,
              hasNext: index < run.chain.length - 1,
              remainingMs: run.deadlineAt - Date.now(),
              answerStarted,
              continuable: relay?.continuable ?? false,
              durationMs: Date.now() - startedAt,
              fallbackOnRefusal,
              pinnedModel: run.isPinned(entry),
            },
            retryPolicy,
          );
          if (decision.action === 'finish' && relay) {
            // Refused mid-answer: it ends as the provider ended it, finish_reason content_filter.
            yield relay.finishRefused();
            yield relay.succeeded(run.attempts, run.chain[0]?.provider);
            relay.settle();
            return;
          }
          relay?.failed();
          if (decision.action === 'stop')
            throw answerStarted ? new StreamInterruptedError(run.attempts, failure) : failure;
          if (decision.action === 'fall_over') {
            run.fallback(entry, index, failure.kind, answerStarted);
            break;
          }
          if (decision.action === 'retry') await abortableSleep(decision.waitMs, run.signal);
          continue;
        }
        run.record(entry, startedAt, { outcome: 'success', ...marks });
        report(run, provider.name, entry.model, undefined);
        if (!relay) {
          const model = completion.model || entry.model;
          if (completion.usage) run.reportUsage(provider.name, model, completion.usage);
          return {
            completion,
            provider: provider.name,
            model,
            attempts: run.attempts,
            usedFallback: index > 0,
          };
        }
        yield relay.succeeded(run.attempts, run.chain[0]?.provider);
        // Only once the caller has read the final chunk: a stream closed before it does not count as finished.
        relay.settle();
        return;
      }
    }
    if (relay?.answerStarted && lastError) throw new StreamInterruptedError(run.attempts, lastError);
    throw run.failure();
  }

  async function chat(request: ChatRequest, callOptions: LlmCallOptions = {}): Promise<ChatResult> {
    // A JSON walk yields no chunk: its first step is its end.
    const { value } = await walkChain(new ChainRun(callOptions, false, runDefaults), request).next();
    return value;
  }

  return {
    chat,
    chatStream: (request, callOptions = {}) =>
      createChatStream((onOutcome) => {
        const run = new ChainRun(callOptions, true, runDefaults);
        const relay = new StreamRelay(request, {
          continuation: continuationEnabled,
          onUsage: (provider, model, usage) => run.reportUsage(provider, model, usage),
          onOutcome,
          onFirstToken: (provider, ms) => firstTokens.record(provider, ms),
        });
        return walkChain(run, request, relay);
      }),
    providerHealth: () => store.health([...context.providers.keys()]),
  };
}

export type { LlmErrorKind };
