import type { ChatCompletionChunk, ChatUsage, FinishReason } from '../../chat-types.js';

/**
 * Builds the OpenAI chunks of one streamed single-choice answer: one id, creation time and model for all of
 * them (the adapter may set `id` and `model` once the provider names them), and the role on the first delta.
 * One instance per stream, so building a chunk allocates nothing but the chunk.
 */
export class ChatCompletionChunkBuilder {
  id: string;
  model: string;
  readonly created = Math.floor(Date.now() / 1000);
  private started = false;

  constructor(id: string, model: string) {
    this.id = id;
    this.model = model;
  }

  /** Whether a chunk has been built: the caller has seen the start of an answer. */
  get emitted(): boolean {
    return this.started;
  }

  /** The next chunk; the last one carries the finish reason and the usage. */
  chunk(
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finishReason: FinishReason | null = null,
    usage?: ChatUsage,
  ): ChatCompletionChunk {
    const withRole = this.started ? delta : { role: 'assistant' as const, ...delta };
    this.started = true;
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta: withRole, finish_reason: finishReason, logprobs: null }],
      ...(usage ? { usage } : {}),
    };
  }
}
