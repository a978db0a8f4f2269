/**
 * Calls waiting for a half-open probe to report, by breaker target (a provider, or a provider's model). A store
 * wakes a target's waiters whenever something may have changed its gate; each waiter then asks the gate again.
 */
export class ProbeWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves on the next `wake` of any of `targets`, after `timeoutMs`, or when `signal` aborts; never rejects. */
  wait(targets: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (timeoutMs <= 0 || signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        for (const target of targets) {
          const set = this.waiting.get(target);
          set?.delete(done);
          if (set?.size === 0) this.waiting.delete(target);
        }
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      for (const target of targets) {
        let set = this.waiting.get(target);
        if (!set) this.waiting.set(target, (set = new Set()));
        set.add(done);
      }
    });
  }

  /** Wakes every call waiting on `target`. */
  wake(target: string): void {
    const set = this.waiting.get(target);
    if (set) for (const done of [...set]) done();
  }
}

/** The breaker target of a provider's model: one string, so both stores key their state by target alike. */
export function modelTarget(provider: string, model: string): string {
  return `${provider}\u001f${model}`;
}
