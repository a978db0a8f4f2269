/** Tracks in-flight streams and the shutting-down state, so shutdown can drain streams before closing. */
export function createLifecycle() {
  const streams = new Set<AbortController>();
  let shuttingDown = false;
  let drained: (() => void) | undefined;

  return {
    get shuttingDown(): boolean {
      return shuttingDown;
    },
    /** Registers a stream; the returned function unregisters it. Aborting the controller ends the stream. */
    trackStream(controller: AbortController): () => void {
      streams.add(controller);
      return () => {
        streams.delete(controller);
        if (streams.size === 0) drained?.();
      };
    },
    get activeStreams(): number {
      return streams.size;
    },
    /** Marks shutdown, waits up to `graceMs` for streams to finish, then aborts the rest. */
    async drain(graceMs: number): Promise<{ finished: boolean; aborted: number }> {
      shuttingDown = true;
      if (streams.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      const aborted = streams.size;
      for (const controller of streams) controller.abort(new Error('gateway shutting down'));
      return { finished: aborted === 0, aborted };
    },
  };
}

/** The lifecycle decorator. */
export type Lifecycle = ReturnType<typeof createLifecycle>;
