/**
 * The one request/response shape of the package: OpenAI chat completions.
 * Adapters convert to and from each provider's wire format; callers only ever see these types.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** A content part of a multi-part message (text; images are passed to providers that accept them). */
export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

/** A tool call requested by the assistant. `arguments` is a JSON string, as OpenAI sends it. */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of the conversation. */
export interface ChatMessage {
  role: ChatRole;
  content: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  /** Set on `role: 'tool'` messages: the call this message answers. */
  tool_call_id?: string;
}

/** A function the model may call. `parameters` is a JSON Schema object. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean };
    };

/**
 * An OpenAI chat completions request. Unknown fields are kept (index signature) and passed on
 * to providers that speak the OpenAI wire format; other adapters refuse fields they cannot honour.
 */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  response_format?: ChatResponseFormat;
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  user?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  n?: number;
  [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** Token usage. `estimated` is ours: true when counted with a tokenizer because the provider reported none. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  estimated?: boolean;
}

/** A non-streamed answer, exactly as OpenAI returns it. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  /** The model that actually answered. */
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      tool_calls?: ChatToolCall[];
      refusal?: string | null;
    };
    finish_reason: FinishReason;
    logprobs?: null;
  }>;
  usage?: ChatUsage;
  system_fingerprint?: string | null;
}

/** A tool call fragment inside a stream chunk; `index` groups fragments of one call. */
export interface ChatToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** One streamed chunk, exactly as OpenAI sends it (`data: {...}` of a `chat.completion.chunk`). */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      tool_calls?: ChatToolCallDelta[];
      refusal?: string | null;
    };
    finish_reason: FinishReason | null;
    logprobs?: null;
  }>;
  usage?: ChatUsage | null;
  system_fingerprint?: string | null;
  /** Ours, on the final chunk only: which providers wrote this answer, in order (more than one after a continuation). */
  x_gateway?: { contributors: Array<{ provider: string; model: string }>; continued: boolean };
}
