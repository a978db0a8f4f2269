import { cohereEmbeddingDialect } from './cohere-embedding-dialect.js';
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

interface CohereWireRequest {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role?: string; content?: unknown }>;
  tools?: Array<{ function?: { name?: string } }>;
}

/** Cohere's own wording: the v2 API answers errors with `{ id, message }`. */
const errorMessages: Partial<Record<SimulatedErrorKind, string>> = {
  rate_limit:
    "You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'.",
  server_error: 'internal server error, this has been reported to our developers.',
  overloaded: 'service unavailable, please try again later',
  context_length:
    "too many tokens: size limit exceeded by 1400 tokens. Try using shorter or fewer inputs, or setting prompt_truncation='AUTO'.",
  content_filter:
    'blocked output: please adjust your prompt and try again, as this generation may be a potential violation of our Usage Guidelines.',
  prefill_rejected:
    'invalid request: the last message must be a user or tool message, got an assistant message.',
  auth: 'invalid api token',
  not_found:
    "model 'unknown' not found, make sure the correct model ID was used and that you have access to the model.",
  bad_request: 'invalid request: temperature must be between 0 and 5.',
};

/** The simulator pretends half of every prompt hit Cohere's cache, so cached-token mapping is observable. */
function usageOf(answer: SimulatedAnswer) {
  return {
    billed_units: { input_tokens: answer.promptTokens, output_tokens: answer.completionTokens },
    tokens: { input_tokens: answer.promptTokens, output_tokens: answer.completionTokens },
    cached_tokens: Math.floor(answer.promptTokens / 2),
  };
}

function finishReasonOf(answer: SimulatedAnswer): string {
  return answer.toolCall ? 'TOOL_CALL' : 'COMPLETE';
}

function event(type: string, data: Record<string, unknown>, id?: string): string {
  return sseFrame(JSON.stringify({ ...(id ? { id } : {}), type, ...data }), type);
}

/** The Cohere v2 chat wire format (`POST /v2/chat`, JSON and SSE with `message-start` ... `message-end`). */
export const cohereDialect: SimulatorDialect = {
  embeddings: cohereEmbeddingDialect,
  name: 'cohere',
  parseCall(method, path, body): ParsedCall | undefined {
    const pathname = path.split('?')[0] ?? '';
    if (method !== 'POST' || !pathname.endsWith('/v2/chat') || !body || typeof body !== 'object')
      return undefined;
    const request = body as CohereWireRequest;
    const turns = (request.messages ?? [])
      .filter((message) => message.role !== 'system')
      .map((message) => ({ role: message.role ?? 'user', text: contentText(message.content) }));
    return {
      model: request.model ?? 'unknown',
      stream: request.stream === true,
      toolName: request.tools?.[0]?.function?.name,
      ...readConversation(turns),
    };
  },
  errorResponse(kind, status, message): SimulatedResponse {
    return { status, body: { id: 'sim-error', message: errorMessages[kind] ?? message } };
  },
  rateLimitHeaders() {
    // Cohere production keys expose no rate-limit headers.
    return {};
  },
  completionBody(answer) {
    const call = answer.toolCall;
    return {
      id: answer.id,
      finish_reason: finishReasonOf(answer),
      message: {
        role: 'assistant',
        ...(call
          ? {
              tool_plan: `I will call ${call.name}.`,
              tool_calls: [
                {
                  id: `${call.name}_${answer.id}`,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                },
              ],
            }
          : { content: [{ type: 'text', text: answer.text }] }),
      },
      usage: usageOf(answer),
    };
  },
  streamStart(answer) {
    const frames = [
      event(
        'message-start',
        {
          delta: {
            message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
          },
        },
        answer.id,
      ),
    ];
    if (!answer.toolCall)
      frames.push(
        event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
      );
    return frames;
  },
  streamToken(_answer, token) {
    return event('content-delta', { index: 0, delta: { message: { content: { text: token } } } });
  },
  streamToolCall(answer) {
    const call = answer.toolCall;
    if (!call) return [];
    const half = Math.floor(call.arguments.length / 2);
    return [
      event('tool-plan-delta', { delta: { message: { tool_plan: `I will call ${call.name}.` } } }),
      event('tool-call-start', {
        index: 0,
        delta: {
          message: {
            tool_calls: {
              id: `${call.name}_${answer.id}`,
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          },
        },
      }),
      event('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: call.arguments.slice(0, half) } } } },
      }),
      event('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: call.arguments.slice(half) } } } },
      }),
      event('tool-call-end', { index: 0 }),
    ];
  },
  streamEnd(answer) {
    return [
      ...(answer.toolCall ? [] : [event('content-end', { index: 0 })]),
      event('message-end', { delta: { finish_reason: finishReasonOf(answer), usage: usageOf(answer) } }),
    ];
  },
  streamError(answer, message) {
    // Cohere reports a failure inside a stream as a message-end whose finish reason is ERROR.
    return event('message-end', {
      delta: { finish_reason: 'ERROR', error: message, usage: usageOf({ ...answer, completionTokens: 0 }) },
    });
  },
  malformedFrame() {
    return sseFrame(
      '{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":',
      'content-delta',
    );
  },
};

/** Starts a Cohere v2 chat simulator. Pass `simulator.url` as the adapter's `baseUrl`. */
export function startCohereSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulatorServer(cohereDialect, options);
}
