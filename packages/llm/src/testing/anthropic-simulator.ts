import {
  contentText,
  readConversation,
  sseFrame,
  startSimulatorServer,
  type ParsedCall,
  type SimulatedAnswer,
  type SimulatedErrorKind,
  type SimulatedResponse,
  type Simulator,
  type SimulatorDialect,
  type SimulatorOptions,
} from './simulator-server.js';

interface AnthropicWireRequest {
  model?: string;
  stream?: boolean;
  system?: unknown;
  messages?: Array<{ role?: string; content?: unknown }>;
  tools?: Array<{ name?: string }>;
}

const errorTypes: Record<SimulatedErrorKind, string> = {
  rate_limit: 'rate_limit_error',
  server_error: 'api_error',
  overloaded: 'overloaded_error',
  context_length: 'invalid_request_error',
  content_filter: 'invalid_request_error',
  prefill_rejected: 'invalid_request_error',
  auth: 'authentication_error',
  not_found: 'not_found_error',
  bad_request: 'invalid_request_error',
};

/** Anthropic's own wording, so the adapter's classification is exercised on real phrases. */
const errorMessages: Partial<Record<SimulatedErrorKind, string>> = {
  rate_limit: 'This request would exceed the rate limit for your organization of 50 requests per minute.',
  server_error: 'Internal server error',
  overloaded: 'Overloaded',
  context_length: 'prompt is too long: 215004 tokens > 200000 maximum',
  auth: 'invalid x-api-key',
  bad_request: 'temperature: range: 0..1',
};

/** The simulator pretends half of every prompt was read from the prompt cache, so cached-token mapping is observable. */
function cachedTokensOf(answer: SimulatedAnswer): number {
  return Math.floor(answer.promptTokens / 2);
}

function inputUsage(answer: SimulatedAnswer) {
  const cached = cachedTokensOf(answer);
  return {
    input_tokens: answer.promptTokens - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

function stopReasonOf(answer: SimulatedAnswer): string {
  if (answer.finishReason === 'tool_calls') return 'tool_use';
  if (answer.finishReason === 'content_filter') return 'refusal';
  return 'end_turn';
}

function event(type: string, data: Record<string, unknown>): string {
  return sseFrame(JSON.stringify({ type, ...data }), type);
}

function messageShell(answer: SimulatedAnswer) {
  return { id: answer.id, type: 'message', role: 'assistant', model: answer.model, stop_sequence: null };
}

/**
 * A refusal the way Claude gives one: HTTP 200, no content, `stop_reason: "refusal"`. The shared server writes
 * error responses as JSON, so a streamed call gets the same refusal as one raw SSE body (see `lastCall`).
 */
function refusal(call: ParsedCall | undefined): SimulatedResponse {
  const answer: SimulatedAnswer = {
    id: 'msg_sim_refusal',
    model: call?.model ?? 'unknown',
    created: 0,
    tokens: [],
    text: '',
    promptTokens: 1,
    completionTokens: 0,
    finishReason: 'content_filter',
  };
  if (!call?.stream) return { status: 200, body: anthropicDialect.completionBody(answer) };
  const frames = [
    event('message_start', {
      message: {
        ...messageShell(answer),
        content: [],
        stop_reason: null,
        usage: { ...inputUsage(answer), output_tokens: 0 },
      },
    }),
    event('message_delta', {
      delta: { stop_reason: 'refusal', stop_sequence: null },
      usage: { output_tokens: 0 },
    }),
    event('message_stop', {}),
  ];
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: frames.join('') };
}

// The shared server calls parseCall and then, synchronously, errorResponse for the same request: the call
// parsed last is the one being answered.
let lastCall: ParsedCall | undefined;

/** The Anthropic Messages wire format (`POST /v1/messages`, JSON and SSE with `message_start` ... `message_stop`). */
export const anthropicDialect: SimulatorDialect = {
  name: 'anthropic',
  parseCall(method, path, body): ParsedCall | undefined {
    const pathname = path.split('?')[0] ?? '';
    if (method !== 'POST' || !pathname.endsWith('/v1/messages') || !body || typeof body !== 'object') {
      lastCall = undefined;
      return undefined;
    }
    const request = body as AnthropicWireRequest;
    const turns = (request.messages ?? []).map((message) => ({
      role: message.role ?? 'user',
      text: contentText(message.content),
    }));
    lastCall = {
      model: request.model ?? 'unknown',
      stream: request.stream === true,
      toolName: request.tools?.[0]?.name,
      ...readConversation(turns),
    };
    return lastCall;
  },
  errorResponse(kind, status, message, retryAfterSeconds): SimulatedResponse {
    if (kind === 'content_filter') return refusal(lastCall);
    const headers: Record<string, string> = {
      'request-id': 'req_sim',
      'x-should-retry': String(status === 429 || status >= 500),
    };
    if (kind === 'rate_limit') {
      Object.assign(headers, anthropicDialect.rateLimitHeaders(0, retryAfterSeconds ?? 60));
    }
    return {
      status,
      headers,
      body: { type: 'error', error: { type: errorTypes[kind], message: errorMessages[kind] ?? message } },
    };
  },
  rateLimitHeaders(remaining, resetSeconds) {
    const reset = new Date(Date.now() + resetSeconds * 1000).toISOString();
    return {
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': String(remaining),
      'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-tokens-limit': '400000',
      'anthropic-ratelimit-tokens-remaining': remaining === 0 ? '0' : '399000',
      'anthropic-ratelimit-tokens-reset': reset,
    };
  },
  completionBody(answer) {
    const content = answer.toolCall
      ? [
          {
            type: 'tool_use',
            id: answer.toolCall.id.replace('call_', 'toolu_'),
            name: answer.toolCall.name,
            input: JSON.parse(answer.toolCall.arguments) as unknown,
          },
        ]
      : answer.text === ''
        ? []
        : [{ type: 'text', text: answer.text }];
    return {
      ...messageShell(answer),
      content,
      stop_reason: stopReasonOf(answer),
      usage: { ...inputUsage(answer), output_tokens: answer.completionTokens, service_tier: 'standard' },
    };
  },
  streamStart(answer) {
    const frames = [
      event('message_start', {
        message: {
          ...messageShell(answer),
          content: [],
          stop_reason: null,
          usage: { ...inputUsage(answer), output_tokens: 1 },
        },
      }),
    ];
    if (!answer.toolCall)
      frames.push(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    frames.push(event('ping', {}));
    return frames;
  },
  streamToken(_answer, token) {
    return event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token } });
  },
  streamToolCall(answer) {
    const call = answer.toolCall;
    if (!call) return [];
    const half = Math.floor(call.arguments.length / 2);
    return [
      event('content_block_start', {
        index: 0,
        content_block: {
          type: 'tool_use',
          id: call.id.replace('call_', 'toolu_'),
          name: call.name,
          input: {},
        },
      }),
      event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } }),
      event('content_block_delta', {
        index: 0,
        delta: { type: 'input_json_delta', partial_json: call.arguments.slice(0, half) },
      }),
      event('content_block_delta', {
        index: 0,
        delta: { type: 'input_json_delta', partial_json: call.arguments.slice(half) },
      }),
      event('content_block_stop', { index: 0 }),
    ];
  },
  streamEnd(answer) {
    return [
      ...(answer.toolCall ? [] : [event('content_block_stop', { index: 0 })]),
      event('message_delta', {
        delta: { stop_reason: stopReasonOf(answer), stop_sequence: null },
        usage: { output_tokens: answer.completionTokens },
      }),
      event('message_stop', {}),
    ];
  },
  streamError() {
    return event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
  },
  malformedFrame() {
    return sseFrame(
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":',
      'content_block_delta',
    );
  },
};

/** Starts an Anthropic Messages simulator. Point `@anthropic-ai/sdk` at `simulator.url` (it appends `/v1/messages`). */
export function startAnthropicSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulatorServer(anthropicDialect, options);
}
