import { LlmError } from './errors.js';

/** Which of our own timers ended an attempt. */
type AbortCause = 'first_token' | 'idle' | 'total' | 'deadline';

/** The abort reason of our own timers, so `classify` can tell them from the caller's abort. */
class AttemptAbort extends Error {
  constructor(readonly timer: AbortCause) {
    super(`attempt aborted: ${timer}`);
  }
}

function abortAttempt(controller: AbortController, cause: AbortCause): void {
  controller.abort(new AttemptAbort(cause));
}

/**
 * One attempt's abort controller: linked to the caller's signal, with a total/deadline timer and a
 * first-token/idle timer. Every timer and listener is released by `dispose()`. A class, and timers that take
 * their arguments, so an attempt allocates no closures on the hot path.
 */
export class AttemptControl {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly totalTimer: NodeJS.Timeout;
  private tokenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    totalMs: number,
    deadlineAt: number,
  ) {
    this.signal = this.controller.signal;
    // A caller gone before the attempt starts (e.g. while it waited for a probe) must not see it sent at all.
    if (callerSignal?.aborted) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this, { once: true });
    const remaining = deadlineAt - Date.now();
    this.totalTimer = setTimeout(
      abortAttempt,
      Math.max(0, Math.min(totalMs, remaining)),
      this.controller,
      remaining <= totalMs ? 'deadline' : 'total',
    );
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.controller.abort(this.callerSignal?.reason);
  }

  /** Arms (or re-arms) the first-token / idle timer. */
  arm(cause: 'first_token' | 'idle', ms: number): void {
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.tokenTimer = setTimeout(abortAttempt, ms, this.controller, cause);
  }

  /** Restarts the idle timer: a chunk arrived. */
  refresh(): void {
    this.tokenTimer?.refresh();
  }

  /** Why the attempt was aborted, if it was: a timer of ours, or the caller. */
  abortCause(): AbortCause | 'caller' | undefined {
    if (!this.signal.aborted) return undefined;
    const reason: unknown = this.signal.reason;
    return reason instanceof AttemptAbort ? reason.timer : 'caller';
  }

  /** Releases timers and listeners; `abort` also cancels the HTTP call (the consumer stopped early or it failed). */
  dispose(abort = false): void {
    if (abort && !this.signal.aborted) abortAttempt(this.controller, 'total');
    clearTimeout(this.totalTimer);
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.callerSignal?.removeEventListener('abort', this);
  }
}

/** Turns whatever an attempt threw into an `LlmError`, letting our own timers name the timeout. */
export function classify(error: unknown, provider: string, control: AttemptControl): LlmError {
  const cause = control.abortCause();
  if (cause && cause !== 'caller') {
    const what = {
      first_token: 'send a first token',
      idle: 'send the next chunk',
      total: 'finish',
      deadline: 'answer before the request deadline',
    }[cause];
    return new LlmError(`Provider ${provider} did not ${what} in time.`, {
      kind: 'timeout',
      provider,
      cause: error,
    });
  }
  if (error instanceof LlmError) return error;
  return new LlmError(`Provider ${provider} failed unexpectedly.`, {
    kind: 'server',
    provider,
    cause: error,
  });
}
