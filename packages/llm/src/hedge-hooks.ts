import { AttemptControl, classify } from './attempt-control.js';
import type { ChainContext } from './chain-context.js';
import { attemptBudget, endsRequest, screen } from './chain-policy.js';
import type { ChainRun } from './chain-run.js';
import type { ChatRequest } from './chat-types.js';
import type { HedgeHooks } from './hedge.js';
import { cancelledUsage, providerError } from './providers/shared/index.js';

const hedgeMark = { hedged: true } as const;
const noop = () => undefined;

/**
 * What a hedged start of `run` needs from its walk: how to start the hedge (the next admitted entry after
 * `fromIndex`) and how to record each attempt that fails or is cancelled.
 */
export function createHedgeHooks(
  context: ChainContext,
  run: ChainRun,
  request: ChatRequest,
  fromIndex: number,
  fallbackOnRefusal: boolean,
): HedgeHooks {
  const { acquire, onRateLimitFor, providerOf, providersLeft, release, report, timeoutsOf } = context;
  return {
    async start() {
      run.hedged = true;
      for (let index = fromIndex + 1; index < run.chain.length; index += 1) {
        const entry = run.chain[index]!;
        const provider = providerOf(run, entry);
        if (!provider || !screen(provider, entry.model, undefined).admitted) continue;
        if (!(await acquire(provider.name, entry.model)).allowed) continue;
        const timeouts = timeoutsOf(provider);
        const control = new AttemptControl(run.signal, timeouts.totalMs, run.deadlineAt);
        const remaining = run.deadlineAt - Date.now();
        control.arm(
          'first_token',
          attemptBudget(remaining, providersLeft(run, index), timeouts.firstTokenMs),
        );
        const stream = provider.chatStream(request, {
          model: entry.model,
          signal: control.signal,
          onRateLimit: onRateLimitFor(provider.name),
        });
        const iterator = stream[Symbol.asyncIterator]();
        return {
          index,
          entry,
          provider,
          control,
          startedAt: Date.now(),
          hedged: true,
          iterator,
          held: [],
          pending: undefined,
        };
      }
      return undefined;
    },
    endsRequest(runner, error) {
      if (runner.control.abortCause() === 'caller') return true;
      const { kind } = classify(error, runner.provider.name, runner.control);
      return endsRequest(kind, { fallbackOnRefusal, pinnedModel: run.isPinned(runner.entry) });
    },
    dropped(runner, error) {
      const failure = classify(error, runner.provider.name, runner.control);
      runner.control.dispose(true);
      run.record(runner.entry, runner.startedAt, {
        outcome: 'error',
        errorKind: failure.kind,
        status: failure.status,
        ...(runner.hedged ? hedgeMark : undefined),
      });
      report(run, runner.provider.name, runner.entry.model, failure);
      if (failure.kind === 'content_filter') run.refusal ??= failure;
    },
    cancel(runner, overtaken) {
      runner.control.dispose(true);
      runner.iterator.return?.().catch(noop);
      // The upstream read the prompt: its cost is counted, estimated, as nothing of the answer came back.
      const usage = cancelledUsage(request);
      run.record(runner.entry, runner.startedAt, {
        outcome: 'cancelled',
        usage,
        ...(runner.hedged ? hedgeMark : undefined),
      });
      run.reportUsage(runner.provider.name, runner.entry.model, usage);
      // Overtaken: silent past its hedge delay while another provider answered. Weak evidence of slowness: it counts
      // toward the failure ratio only, so a hung provider (overtaken every time) is rested by its breaker while one
      // that is slow now and then keeps serving.
      if (overtaken)
        report(
          run,
          runner.provider.name,
          runner.entry.model,
          providerError(runner.provider.name, 'timeout'),
          true,
        );
      else release(runner.provider.name, runner.entry.model);
    },
  };
}
