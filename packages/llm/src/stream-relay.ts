import type { AttemptControl } from './attempt-control.js';
import type { ChatProvider } from './chat-provider.js';
import type { ChatCompletionChunk, ChatRequest, ChatUsage } from './chat-types.js';
import type { ChainEntry, StreamOutcome } from './client-types.js';
import { buildContinuationRequest } from './continuation.js';
import { LlmError, type AttemptRecord } from './errors.js';
import { providerError } from './providers/shared/index.js';

/** Where a relay reports what the caller's hooks and `ChatStream.outcome` need. */
interface RelayOptions {
  /** Continue a cut answer on the next provider (`LlmClientOptions.continuation`). */
  continuation: boolean;
  /** The usage of one provider's part of the answer. */
  onUsage: (provider: string, model: string, usage: ChatUsage) => void;
  /** How the finished answer was produced. */
  onOutcome: (outcome: StreamOutcome) => void;
  /** A provider sent the first content token of the answer, `ms` after its attempt started. */
  onFirstToken: (provider: string, ms: number) => void;
}

function hasContent(chunk: ChatCompletionChunk): boolean {
  for (const { delta } of chunk.choices)
    if (delta.content || delta.tool_calls?.length || delta.refusal) return true;
  return false;
}

function isFinishing(chunk: ChatCompletionChunk): boolean {
  for (const choice of chunk.choices)
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) return true;
  return false;
}

/**
 * What a chunk read before any content means: `hold` it back (a role chunk, usage), it starts the `answer`
 * (content, or a finish), or the provider `refused` the prompt (finished under its content policy, with nothing).
 */
export function leadingChunk(chunk: ChatCompletionChunk): 'hold' | 'answer' | 'refused' {
  if (chunk.choices.length === 0) return 'hold';
  if (hasContent(chunk)) return 'answer';
  if (!isFinishing(chunk)) return 'hold';
  return chunk.choices.some((choice) => choice.finish_reason === 'content_filter') ? 'refused' : 'answer';
}

/** The refusal of a provider whose stream finished under its content policy before any content. */
export function streamRefusal(provider: string): LlmError {
  return providerError(provider, 'content_filter', { reason: 'content_filter' });
}

/**
 * Gives a provider's chunk the stream's id and creation time and, in a continuation, drops the repeated `role`.
 * In place: every chunk is a fresh object from its adapter, and this runs once per chunk.
 */
function normaliseChunk(
  chunk: ChatCompletionChunk,
  identity: { id: string; created: number },
  continuing: boolean,
): ChatCompletionChunk {
  chunk.id = identity.id;
  chunk.created = identity.created;
  if (continuing) {
    for (const choice of chunk.choices) {
      if (choice.delta.role === undefined) continue;
      const { role: _role, ...delta } = choice.delta;
      choice.delta = delta;
    }
  }
  return chunk;
}

function addUsage(total: ChatUsage | undefined, usage: ChatUsage): ChatUsage {
  if (!total) return { ...usage };
  const cached =
    (total.prompt_tokens_details?.cached_tokens ?? 0) + (usage.prompt_tokens_details?.cached_tokens ?? 0);
  return {
    prompt_tokens: total.prompt_tokens + usage.prompt_tokens,
    completion_tokens: total.completion_tokens + usage.completion_tokens,
    total_tokens: total.total_tokens + usage.total_tokens,
    ...(cached > 0 ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(total.estimated || usage.estimated ? { estimated: true } : {}),
  };
}

/**
 * One streamed answer across the providers of its chain (README, "The streaming contract"): holds chunks back
 * until content arrives, keeps one id and one `role` across providers, builds the continuation of a cut answer,
 * sums usage, and arms the first-token and idle timers. The chain walk reads each provider's chunks itself and
 * hands them here with plain calls, so a chunk crosses one generator on its way to the caller, not two.
 * Per-attempt state lives in fields reset by `begin`, not in an object per attempt.
 */
export class StreamRelay {
  /** Every provider that wrote part of the answer, in order. */
  private readonly contributors: ChainEntry[] = [];
  /** The text the caller has received, for a continuation's prefill. */
  private delivered = '';
  private firstTokenSent = false;
  private toolCallStarted = false;
  private identity: { id: string; created: number } | undefined;
  private usage: ChatUsage | undefined;
  private outcome: StreamOutcome | undefined;

  private provider = '';
  private model = '';
  private continuing = false;
  private attemptContent = false;
  private attemptFinished = false;
  private attemptUsage: ChatUsage | undefined;
  private readonly held: ChatCompletionChunk[] = [];
  private control: AttemptControl | undefined;
  private idleMs = 0;
  private startedAt = 0;

  constructor(
    private readonly request: ChatRequest,
    private readonly options: RelayOptions,
  ) {}

  /** True once content reached the caller: a failure can then only continue the answer elsewhere, or end it. */
  get answerStarted(): boolean {
    return this.firstTokenSent;
  }

  /** Whether another provider may continue the answer: continuation is on and no tool call is half sent. */
  get continuable(): boolean {
    return this.options.continuation && !this.toolCallStarted;
  }

  /** True when the current attempt continues a cut answer. */
  get continuation(): boolean {
    return this.continuing;
  }

  /** True once the current attempt sent a finish reason: the answer is complete even if the trailer is lost. */
  get finished(): boolean {
    return this.attemptFinished;
  }

  /**
   * Starts an attempt (begun at `startedAt`, epoch ms): arms its first-token timer and returns the request to send
   * (a continuation once the answer started).
   */
  begin(
    provider: ChatProvider,
    model: string,
    control: AttemptControl,
    timing: { firstTokenMs: number; idleMs: number; startedAt: number },
  ): ChatRequest {
    this.provider = provider.name;
    this.model = model;
    this.continuing = this.firstTokenSent;
    this.attemptContent = false;
    this.attemptFinished = false;
    this.attemptUsage = undefined;
    this.held.length = 0;
    this.control = control;
    this.idleMs = timing.idleMs;
    this.startedAt = timing.startedAt;
    control.arm('first_token', timing.firstTokenMs);
    return this.continuing
      ? buildContinuationRequest(this.request, this.delivered, provider.supportsPrefill)
      : this.request;
  }

  /**
   * Takes a provider chunk; true when it goes to the caller, after the chunks `takeHeld` gives. Until content
   * arrives chunks are held back, so a provider that fails before content leaves nothing in the answer.
   */
  accept(chunk: ChatCompletionChunk): boolean {
    if (chunk.usage) this.attemptUsage = chunk.usage;
    if (chunk.model) this.model = chunk.model;
    if (chunk.choices.length === 0) return false;
    if (this.attemptContent) {
      this.control?.refresh();
      return true;
    }
    const leading = leadingChunk(chunk);
    if (leading === 'hold') {
      this.held.push(chunk);
      return false;
    }
    // Refused before a word of the answer: the next provider may answer it. Within a continuation the caller
    // already has part of the answer, which then ends here, refused, as the provider ended it.
    if (leading === 'refused' && !this.continuing) throw streamRefusal(this.provider);
    if (!this.continuing) this.options.onFirstToken(this.provider, Date.now() - this.startedAt);
    this.attemptContent = true;
    this.firstTokenSent = true;
    this.contributors.push({ provider: this.provider, model: this.model });
    this.control?.arm('idle', this.idleMs);
    // A continuation's held chunks repeat what the caller already has (its `role`).
    if (this.continuing) this.held.length = 0;
    return true;
  }

  /** The next chunk held back before content, ready for the caller; undefined when none is left. */
  takeHeld(): ChatCompletionChunk | undefined {
    const early = this.held.shift();
    return (
      early && normaliseChunk(early, (this.identity ??= { id: early.id, created: early.created }), false)
    );
  }

  /** Notes what an accepted chunk adds to the answer and returns it ready for the caller. */
  pass(chunk: ChatCompletionChunk): ChatCompletionChunk {
    for (const choice of chunk.choices) {
      if (choice.delta.content) this.delivered += choice.delta.content;
      if (choice.delta.tool_calls?.length) this.toolCallStarted = true;
    }
    if (isFinishing(chunk)) this.attemptFinished = true;
    return normaliseChunk(
      chunk,
      (this.identity ??= { id: chunk.id, created: chunk.created }),
      this.continuing,
    );
  }

  /** Throws when the provider's stream ended before a finish reason: the answer is incomplete. */
  checkFinished(): void {
    if (!this.attemptFinished)
      throw new LlmError(`Provider ${this.provider} ended the stream before the answer was complete.`, {
        kind: 'network',
        provider: this.provider,
      });
  }

  /**
   * The chunk that ends an answer a provider refused to go on with (a refusal after the first token): finish
   * reason `content_filter`, as OpenAI ends a filtered stream. `succeeded` follows it.
   */
  finishRefused(): ChatCompletionChunk {
    this.attemptFinished = true;
    return {
      id: this.identity?.id ?? `chatcmpl-${Date.now()}`,
      object: 'chat.completion.chunk',
      created: this.identity?.created ?? Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [{ index: 0, delta: {}, finish_reason: 'content_filter', logprobs: null }],
    };
  }

  /** After a failed attempt: counts the usage its provider reported for the part it wrote, if it did. */
  failed(): void {
    if (!this.attemptUsage) return;
    this.options.onUsage(this.provider, this.model, this.attemptUsage);
    this.usage = addUsage(this.usage, this.attemptUsage);
  }

  /**
   * After the attempt that finished the answer: counts its usage and returns the final chunk (summed usage,
   * `x_gateway`); `settle` then reports how the answer was produced.
   */
  succeeded(attempts: AttemptRecord[], firstProvider: string | undefined): ChatCompletionChunk {
    const attemptUsage = this.attemptUsage ?? {
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
      estimated: true,
    };
    this.options.onUsage(this.provider, this.model, attemptUsage);
    const usage = (this.usage = addUsage(this.usage, attemptUsage));
    const contributors = this.contributors;
    if (contributors.length === 0) contributors.push({ provider: this.provider, model: this.model });
    const last = contributors.at(-1) ?? { provider: this.provider, model: this.model };
    this.outcome = {
      provider: last.provider,
      model: last.model,
      attempts,
      contributors,
      usage,
      usedFallback: firstProvider !== contributors[0]?.provider,
    };
    return {
      id: this.identity?.id ?? `chatcmpl-${Date.now()}`,
      object: 'chat.completion.chunk',
      created: this.identity?.created ?? Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [],
      usage,
      x_gateway: { contributors, continued: contributors.length > 1 },
    };
  }

  /** Reports the outcome of the answer `succeeded` finished. */
  settle(): void {
    if (this.outcome) this.options.onOutcome(this.outcome);
  }
}
