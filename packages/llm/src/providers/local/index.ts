import type { ChatProvider } from '../../chat-provider.js';
import type { ChatCompletionChunk, ChatRequest, ChatUsage } from '../../chat-types.js';
import { estimateTokens } from '../../tokens.js';
import { contentToText } from '../shared/index.js';

/** Model id of the local provider. */
export const localModel = 'local-echo-1';
/** `system_fingerprint` of every local answer: the label that marks it as not coming from a real model. */
export const localFingerprint = 'switchyard-local';

/** Options of `createLocalProvider`. */
export interface LocalProviderOptions {
  name?: string;
}

function answerFor(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const prompt = lastUser ? contentToText(lastUser.content).trim() : '';
  return `[local-echo-1: deterministic local answer, no real model] You said: ${prompt || '(nothing)'}`;
}

function continuation(request: ChatRequest): string {
  const full = answerFor({ ...request, messages: request.messages.slice(0, -1) });
  const prefill = contentToText(request.messages.at(-1)?.content ?? null);
  return full.startsWith(prefill) ? full.slice(prefill.length) : full;
}

/**
 * The built-in provider for development, demos and benchmarks: no network, same input same answer,
 * and labelled as local in the text, the model id and the `system_fingerprint`.
 */
export function createLocalProvider(options: LocalProviderOptions = {}): ChatProvider {
  const name = options.name ?? 'local';
  let counter = 0;

  const compose = (request: ChatRequest) => {
    counter += 1;
    const text = request.messages.at(-1)?.role === 'assistant' ? continuation(request) : answerFor(request);
    const promptTokens = estimateTokens(request.messages);
    const completionTokens = estimateTokens(text);
    const usage: ChatUsage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    return { id: `chatcmpl-local-${counter}`, created: Math.floor(Date.now() / 1000), text, usage };
  };

  return {
    id: 'local',
    name,
    supportsPrefill: true,
    contextWindow: () => 1_000_000,
    chat(request, callOptions) {
      callOptions.signal.throwIfAborted();
      const answer = compose(request);
      return Promise.resolve({
        id: answer.id,
        object: 'chat.completion',
        created: answer.created,
        model: localModel,
        system_fingerprint: localFingerprint,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.text, refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: answer.usage,
      });
    },
    async *chatStream(request, callOptions) {
      // Yield to the event loop once, as a network provider would, so callers never starve it.
      await Promise.resolve();
      callOptions.signal.throwIfAborted();
      const answer = compose(request);
      const base = {
        id: answer.id,
        object: 'chat.completion.chunk' as const,
        created: answer.created,
        model: localModel,
        system_fingerprint: localFingerprint,
      };
      const chunk = (
        delta: ChatCompletionChunk['choices'][number]['delta'],
        finish: 'stop' | null = null,
      ): ChatCompletionChunk => ({
        ...base,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      });
      yield chunk({ role: 'assistant', content: '' });
      for (const token of answer.text.match(/\S+\s*|\s+/g) ?? []) {
        callOptions.signal.throwIfAborted();
        yield chunk({ content: token });
      }
      yield chunk({}, 'stop');
      yield { ...base, choices: [], usage: answer.usage };
    },
  };
}
