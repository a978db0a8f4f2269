import type { AttemptControl } from './attempt-control.js';
import type { ChatProvider } from './chat-provider.js';
import type { ChatCompletionChunk } from './chat-types.js';
import type { ChainEntry } from './client-types.js';
import { truncatedStreamError } from './providers/shared/index.js';
import { leadingChunk, streamRefusal } from './stream-relay.js';

/** One streamed attempt of a hedged start (README, "Hedged first token"). */
export interface HedgeRunner {
  /** Its position in the chain. */
  index: number;
  entry: ChainEntry;
  provider: ChatProvider;
  control: AttemptControl;
  /** Epoch ms. */
  startedAt: number;
  /** Started as the hedge, in parallel with the attempt that was slow to send its first token. */
  hedged: boolean;
  iterator: AsyncIterator<ChatCompletionChunk>;
  /** Chunks read before the answer started, ending with the one that started it: the caller gets them first. */
  held: ChatCompletionChunk[];
  /** The read in flight; never rejects. */
  pending: Promise<Step> | undefined;
}

type Step =
  | { runner: HedgeRunner; result: IteratorResult<ChatCompletionChunk> }
  | { runner: HedgeRunner; error: unknown };

/** What the chain walk does for a hedged start: start the hedge, and record what happens to each attempt. */
export interface HedgeHooks {
  /** Starts the hedge on the next admitted chain entry; undefined when none may be called. */
  start(): Promise<HedgeRunner | undefined>;
  /** Whether a failure ends the whole request (the caller left, or `endsRequest`): the other attempt stops too. */
  endsRequest(runner: HedgeRunner, error: unknown): boolean;
  /** An attempt failed while the other goes on: record it like any failed attempt. */
  dropped(runner: HedgeRunner, error: unknown): void;
  /** An attempt lost or is no longer needed: abort it (its upstream sees the disconnect) and record it. */
  cancel(runner: HedgeRunner, overtaken: boolean): void;
}

/** How a hedged start ended: the attempt the walk goes on with, and the failure it must handle, if any. */
export interface HedgeOutcome {
  runner: HedgeRunner;
  error?: unknown;
  /** The last chain position a hedged start used: after a failure, the walk goes on after it. */
  lastIndex: number;
}

const hedgeDue = Symbol('hedge due');

function read(runner: HedgeRunner): Promise<Step> {
  return runner.iterator.next().then(
    (result) => ({ runner, result }),
    (error: unknown) => ({ runner, error }),
  );
}

/**
 * Waits for the first content token of `first`; if none came after `delayMs`, starts the hedge and streams
 * whichever attempt sends a first content token first, cancelling the other. A failure of one attempt while the
 * other goes on is recorded and dropped; a failure of the last one (or one that ends the request) is handed back.
 * Only the few chunks before the first token pass through here, so the race costs nothing per chunk after it.
 */
export async function raceFirstToken(
  first: HedgeRunner,
  delayMs: number,
  hooks: HedgeHooks,
): Promise<HedgeOutcome> {
  const runners = [first];
  let lastIndex = first.index;
  let timer: NodeJS.Timeout | undefined;
  let due: Promise<typeof hedgeDue> | undefined = new Promise((resolve) => {
    timer = setTimeout(resolve, delayMs, hedgeDue);
  });
  const stopOthers = (kept: HedgeRunner, overtaken: boolean) => {
    for (const runner of runners) if (runner !== kept) hooks.cancel(runner, overtaken && !runner.hedged);
  };
  try {
    for (;;) {
      const reads: Array<Promise<Step | typeof hedgeDue>> = [];
      for (const runner of runners) reads.push((runner.pending ??= read(runner)));
      if (due) reads.push(due);
      const step = await Promise.race(reads);
      if (step === hedgeDue) {
        due = undefined;
        const hedge = await hooks.start();
        if (hedge) {
          runners.push(hedge);
          lastIndex = Math.max(lastIndex, hedge.index);
        }
        continue;
      }
      const { runner } = step;
      runner.pending = undefined;
      let error: unknown;
      if ('error' in step) error = step.error;
      else if (step.result.done) error = truncatedStreamError(runner.provider.name);
      else {
        const chunk = step.result.value;
        const leading = leadingChunk(chunk);
        if (leading === 'refused') error = streamRefusal(runner.provider.name);
        else {
          runner.held.push(chunk);
          if (leading === 'hold') continue;
          stopOthers(runner, true);
          return { runner, lastIndex };
        }
      }
      if (runners.length === 1) return { runner, error, lastIndex };
      if (hooks.endsRequest(runner, error)) {
        stopOthers(runner, false);
        return { runner, error, lastIndex };
      }
      hooks.dropped(runner, error);
      runners.splice(runners.indexOf(runner), 1);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Iterates the chunks a hedged start held back, then the rest of the attempt's stream, with no extra hop per chunk. */
class HeldThenRest implements AsyncIterator<ChatCompletionChunk> {
  private position = 0;

  constructor(
    private readonly held: ChatCompletionChunk[],
    private readonly rest: AsyncIterator<ChatCompletionChunk>,
  ) {}

  next(): Promise<IteratorResult<ChatCompletionChunk>> {
    const chunk = this.held[this.position];
    if (chunk === undefined) return this.rest.next();
    this.position += 1;
    return Promise.resolve({ value: chunk, done: false });
  }

  return(value?: unknown): Promise<IteratorResult<ChatCompletionChunk>> {
    return this.rest.return?.(value) ?? Promise.resolve({ value: undefined, done: true });
  }
}

/** The stream of the attempt a hedged start kept: what it held back, then the rest. */
export function keptStream(runner: HedgeRunner): AsyncIterable<ChatCompletionChunk> {
  return { [Symbol.asyncIterator]: () => new HeldThenRest(runner.held, runner.iterator) };
}
