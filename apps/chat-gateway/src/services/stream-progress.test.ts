import type { ChatCompletionChunk, ChatProvider } from '@switchyard/llm';
import { describe, expect, it } from 'vitest';
import { createStreamProgress } from './stream-progress.js';

/** A provider whose stream yields what the test pushes, when it pushes it. */
function scriptedProvider(name: string) {
  const queue: Array<(result: IteratorResult<ChatCompletionChunk>) => void> = [];
  const pending: IteratorResult<ChatCompletionChunk>[] = [];
  const push = (result: IteratorResult<ChatCompletionChunk>) => {
    const waiting = queue.shift();
    if (waiting) waiting(result);
    else pending.push(result);
  };
  const chunk = (delta: ChatCompletionChunk['choices'][number]['delta']): ChatCompletionChunk => ({
    id: `chatcmpl-${name}`,
    object: 'chat.completion.chunk',
    created: 0,
    model: `${name}-model-v2`,
    choices: [{ index: 0, delta, finish_reason: null }],
  });
  const provider = {
    id: 'openai',
    name,
    supportsPrefill: false,
    contextWindow: () => undefined,
    chat: () => Promise.reject(new Error('not used')),
    chatStream: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () =>
          pending.length > 0
            ? Promise.resolve(pending.shift()!)
            : new Promise<IteratorResult<ChatCompletionChunk>>((resolve) => queue.push(resolve)),
        return: () => Promise.resolve({ done: true as const, value: undefined }),
      }),
    }),
  } as unknown as ChatProvider;
  return {
    provider,
    role: () => push({ done: false, value: chunk({ role: 'assistant', content: '' }) }),
    content: (text: string) => push({ done: false, value: chunk({ content: text }) }),
  };
}

const request = { model: 'auto', messages: [{ role: 'user' as const, content: 'hi' }] };
const callOptions = (model: string) => ({ model, signal: new AbortController().signal });
const iterate = (provider: ChatProvider, model: string) =>
  provider.chatStream(request, callOptions(model))[Symbol.asyncIterator]();

describe('stream progress (what provisional stream headers name)', () => {
  it('names the hedged attempt that sent content first, with every attempt started counted', async () => {
    const progress = createStreamProgress(performance.now());
    const primary = scriptedProvider('openai');
    const hedge = scriptedProvider('groq');
    const primaryChunks = iterate(progress.track(primary.provider), 'gpt-4o-mini');
    expect(progress.current()).toMatchObject({ provider: 'openai', attempts: 1, answered: false });

    const hedgeChunks = iterate(progress.track(hedge.provider), 'llama-3.3-70b-versatile');
    expect(progress.current()).toMatchObject({ provider: 'groq', attempts: 2, answered: false });

    // The primary's role chunk is not an answer; the hedge's first text is.
    primary.role();
    await primaryChunks.next();
    expect(progress.current()).toMatchObject({ provider: 'groq', answered: false });
    hedge.content('Hello');
    await hedgeChunks.next();
    expect(progress.current()).toMatchObject({
      provider: 'groq',
      model: 'groq-model-v2',
      attempts: 2,
      answered: true,
    });

    // The loser's late content does not rename the answer.
    primary.content('Hi');
    await primaryChunks.next();
    expect(progress.current()).toMatchObject({ provider: 'groq', attempts: 2 });
  });

  it('names the primary when it answers first although the hedge started later', async () => {
    const progress = createStreamProgress(performance.now());
    const primary = scriptedProvider('openai');
    const hedge = scriptedProvider('groq');
    const primaryChunks = iterate(progress.track(primary.provider), 'gpt-4o-mini');
    progress.track(hedge.provider).chatStream(request, callOptions('llama-3.3-70b-versatile'));
    primary.content('Hi');
    await primaryChunks.next();
    expect(progress.current()).toMatchObject({ provider: 'openai', attempts: 2, answered: true });
  });

  it('does not count time an attempt was running as gateway overhead', async () => {
    const startedAt = performance.now() - 50;
    const progress = createStreamProgress(startedAt);
    const primary = scriptedProvider('openai');
    progress.track(primary.provider).chatStream(request, callOptions('gpt-4o-mini'));
    const before = progress.current()!.overheadMs;
    expect(before).toBeGreaterThanOrEqual(50);
    // Started while the primary still runs (a hedge): none of the primary's time is overhead.
    await new Promise((resolve) => setImmediate(resolve));
    progress.track(scriptedProvider('groq').provider).chatStream(request, callOptions('llama'));
    expect(progress.current()!.overheadMs).toBe(before);
  });
});
