import type { ChatCompletionChunk, ChatProvider } from '@switchyard/llm';

/** What a stream's headers can say before the answer is complete: the provider being tried or answering now. */
export interface StreamProgress {
  provider: string;
  model: string;
  /** Attempts started so far (including the current one). */
  attempts: number;
  /** Gateway time before the current attempt started (not spent waiting on providers). */
  overheadMs: number;
  /** True once that provider sent its first chunk (it accepted the request). */
  answered: boolean;
}

interface ProgressState {
  current: StreamProgress | undefined;
  providerMs: number;
  startedAt: number;
}

/**
 * Wraps a provider for one stream so the route learns which attempt is running and when it answered;
 * the client falls over between attempts without telling its caller, and SSE headers must name someone.
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
      const state: StreamProgress = {
        provider: provider.name,
        model: options.model,
        attempts: (progress.current?.attempts ?? 0) + 1,
        overheadMs: Math.max(0, attemptStartedAt - progress.startedAt - progress.providerMs),
        answered: false,
      };
      progress.current = state;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        progress.providerMs += performance.now() - attemptStartedAt;
      };
      // A plain iterator, not an async generator: it adds one promise per chunk instead of a generator's hops.
      const inner = provider.chatStream(request, options)[Symbol.asyncIterator]();
      const iterator: AsyncIterator<ChatCompletionChunk> = {
        next: () =>
          inner.next().then(
            (result) => {
              if (result.done) finish();
              else if (!state.answered) {
                state.answered = true;
                if (result.value.model) state.model = result.value.model;
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
 * the stream may use, `current` names the attempt running or answering now.
 */
export function createStreamProgress(startedAt: number) {
  const progress: ProgressState = { current: undefined, providerMs: 0, startedAt };
  return {
    track: (provider: ChatProvider): ChatProvider => trackedForStream(provider, progress),
    current: (): StreamProgress | undefined => progress.current,
  };
}
