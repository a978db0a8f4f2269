import type { ChatCompletionChunk } from './chat-types.js';
import type { ChatStream, StreamOutcome } from './client-types.js';

/**
 * A `ChatStream` over the chain walk that `start` begins when iteration begins (given where to report the finished
 * answer's outcome). `outcome` settles when iteration ends: with the outcome, or rejected with the error that ended
 * it (or because the stream was closed before it finished); an unobserved rejection never crashes the process.
 */
export function createChatStream(
  start: (onOutcome: (outcome: StreamOutcome) => void) => AsyncGenerator<ChatCompletionChunk>,
): ChatStream {
  let resolve!: (outcome: StreamOutcome) => void;
  let reject!: (error: unknown) => void;
  const outcome = new Promise<StreamOutcome>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  // The outcome is optional to await; an unobserved rejection must not crash the process.
  outcome.catch(() => undefined);
  let settled = false;
  const fail = (error: unknown): never => {
    settled = true;
    reject(error);
    throw error;
  };
  const settleClosed = <T>(result: T): T => {
    if (!settled) {
      settled = true;
      reject(new Error('The stream was closed before it finished.'));
    }
    return result;
  };
  return {
    outcome,
    // A forwarding iterator rather than another async generator around the walk: one promise hop less per chunk.
    [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
      const chunks = start((value) => {
        settled = true;
        resolve(value);
      });
      return {
        next: () => chunks.next().then((result) => (result.done ? settleClosed(result) : result), fail),
        return: (value?: unknown) => chunks.return(value).then(settleClosed, fail),
        throw: (error?: unknown) => chunks.throw(error).then(settleClosed, fail),
      };
    },
  };
}
