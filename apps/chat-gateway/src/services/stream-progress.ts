import type { ChatCompletionChunk, ChatProvider } from '@switchyard/llm';

/** What a stream's headers can say before the answer is complete: the provider being tried or answering now. */
export interface StreamProgress {
  provider: string;
  model: string;
  /** Attempts started so far (including the current one). */
  attempts: number;
  /** Gateway time before the current attempt started (not spent waiting on providers). */
  overheadMs: number;
  /** True once that provider sent content (it is the one answering). */
  answered: boolean;
}

interface ProgressState {
  current: StreamProgress | undefined;
  /** Attempts started so far; with a hedged first token two run at once. */
  started: number;
  /** Attempts running now, and when the last one ended: gateway time is only time no attempt was running. */
  running: number;
  idleSince: number;
  overheadMs: number;
}

/** True for a chunk carrying content (text, a tool-call delta or a refusal), not the role or a bare finish. */
function carriesContent(chunk: ChatCompletionChunk): boolean {
  const delta = chunk.choices[0]?.delta;
  return Boolean(delta?.content || delta?.tool_calls?.length || delta?.refusal);
}

/**
 * Wraps a provider for one stream so the route learns which attempt is running and which answered;
 * the client falls over (or hedges) between attempts without telling its caller, and SSE headers must name someone.
 */
function trackedForStream(provider: ChatProvider, progress: ProgressState): ChatProvider {
  return {
    id: provider.id,
    name: provider.name,
    supportsPrefill: provider.supportsPrefill,
    timeouts: provider.timeouts,
    contextWindow: (model) => provider.contextWindow(model),
    chat: (request, options) => provider.chat(request, options),
    chatStream(request, options) {
      const attemptStartedAt = performance.now();
      if (progress.running === 0) progress.overheadMs += Math.max(0, attemptStartedAt - progress.idleSince);
      progress.running += 1;
      progress.started += 1;
      const state: StreamProgress = {
        provider: provider.name,
        model: options.model,
        attempts: progress.started,
        overheadMs: progress.overheadMs,
        answered: false,
      };
      // Until someone answers, the headers name the attempt started last; the first to send content keeps them
      // (a hedged loser's late content must not rename the answer).
      if (!progress.current?.answered) progress.current = state;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        progress.running -= 1;
        if (progress.running === 0) progress.idleSince = performance.now();
      };
      // A plain iterator, not an async generator: it adds one promise per chunk instead of a generator's hops.
      const inner = provider.chatStream(request, options)[Symbol.asyncIterator]();
      const iterator: AsyncIterator<ChatCompletionChunk> = {
        next: () =>
          inner.next().then(
            (result) => {
              if (result.done) finish();
              else if (!state.answered && carriesContent(result.value)) {
                state.answered = true;
                if (result.value.model) state.model = result.value.model;
                if (!progress.current?.answered || progress.current === state) progress.current = state;
              }
              return result;
            },
            (error: unknown) => {
              finish();
              throw error;
            },
          ),
        return: (value?: unknown) => {
          finish();
          return inner.return
            ? inner.return(value)
            : Promise.resolve({ done: true as const, value: undefined });
        },
      };
      return { [Symbol.asyncIterator]: () => iterator };
    },
  };
}

/**
 * The progress of one stream that started at `startedAt` (`performance.now()`): `track` wraps each provider
 * the stream may use, `current` names the attempt answering (or, before any answer, the one started last) with
 * the number of attempts started so far.
 */
export function createStreamProgress(startedAt: number) {
  const progress: ProgressState = {
    current: undefined,
    started: 0,
    running: 0,
    idleSince: startedAt,
    overheadMs: 0,
  };
  return {
    track: (provider: ChatProvider): ChatProvider => trackedForStream(provider, progress),
    current: (): StreamProgress | undefined =>
      progress.current && { ...progress.current, attempts: progress.started },
  };
}
