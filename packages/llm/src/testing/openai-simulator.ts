import { openAIEmbeddingDialect } from './openai-embedding-dialect.js';
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

interface OpenAIWireMessage {
  role?: string;
  content?: unknown;
}

interface OpenAIWireRequest {
  model?: string;
  stream?: boolean;
  messages?: OpenAIWireMessage[];
  stream_options?: { include_usage?: boolean };
  tools?: Array<{ function?: { name?: string } }>;
}

const errorShapes: Record<SimulatedErrorKind, { type: string; code: string | null; param: string | null }> = {
  rate_limit: { type: 'requests', code: 'rate_limit_exceeded', param: null },
  server_error: { type: 'server_error', code: null, param: null },
  overloaded: { type: 'server_error', code: 'overloaded', param: null },
  context_length: { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' },
  content_filter: { type: 'invalid_request_error', code: 'content_filter', param: 'prompt' },
  prefill_rejected: { type: 'invalid_request_error', code: null, param: 'messages' },
  auth: { type: 'invalid_request_error', code: 'invalid_api_key', param: null },
  not_found: { type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
  bad_request: { type: 'invalid_request_error', code: null, param: 'temperature' },
};

function usageOf(answer: SimulatedAnswer) {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
}

function chunk(
  answer: SimulatedAnswer,
  delta: Record<string, unknown>,
  finishReason: string | null = null,
): string {
  return sseFrame(
    JSON.stringify({
      id: answer.id,
      object: 'chat.completion.chunk',
      created: answer.created,
      model: answer.model,
      system_fingerprint: 'fp_simulator',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    }),
  );
}

/** The OpenAI chat completions wire format (`POST /v1/chat/completions`, JSON and SSE with `[DONE]`). */
export const openAIDialect: SimulatorDialect = {
  embeddings: openAIEmbeddingDialect,
  name: 'openai',
  parseCall(method, path, body): ParsedCall | undefined {
    const pathname = path.split('?')[0] ?? '';
    if (method !== 'POST' || !pathname.endsWith('/chat/completions') || !body || typeof body !== 'object')
      return undefined;
    const request = body as OpenAIWireRequest;
    const turns = (request.messages ?? []).map((message) => ({
      role: message.role ?? 'user',
      text: contentText(message.content),
    }));
    return {
      model: request.model ?? 'unknown',
      stream: request.stream === true,
      toolName: request.tools?.[0]?.function?.name,
      ...readConversation(turns),
    };
  },
  errorResponse(kind, status, message): SimulatedResponse {
    return { status, body: { error: { message, ...errorShapes[kind] } } };
  },
  rateLimitHeaders(remaining, resetSeconds) {
    return {
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': String(remaining),
      'x-ratelimit-reset-requests': `${resetSeconds}s`,
      'x-ratelimit-limit-tokens': '2000000',
      'x-ratelimit-remaining-tokens': remaining === 0 ? '0' : '1999000',
      'x-ratelimit-reset-tokens': `${resetSeconds}s`,
    };
  },
  completionBody(answer) {
    return {
      id: answer.id,
      object: 'chat.completion',
      created: answer.created,
      model: answer.model,
      system_fingerprint: 'fp_simulator',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            // A filtered answer with nothing left carries no content at all, as OpenAI sends it.
            content:
              answer.toolCall || (answer.finishReason === 'content_filter' && !answer.text)
                ? null
                : answer.text,
            refusal: null,
            ...(answer.toolCall
              ? {
                  tool_calls: [
                    {
                      id: answer.toolCall.id,
                      type: 'function',
                      function: { name: answer.toolCall.name, arguments: answer.toolCall.arguments },
                    },
                  ],
                }
              : {}),
          },
          logprobs: null,
          finish_reason: answer.finishReason,
        },
      ],
      usage: usageOf(answer),
    };
  },
  streamStart(answer) {
    return [chunk(answer, { role: 'assistant', content: '', refusal: null })];
  },
  streamToken(answer, token) {
    return chunk(answer, { content: token });
  },
  streamToolCall(answer) {
    const call = answer.toolCall;
    if (!call) return [];
    const half = Math.floor(call.arguments.length / 2);
    return [
      chunk(answer, {
        tool_calls: [
          { index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      }),
      chunk(answer, { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(0, half) } }] }),
      chunk(answer, { tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(half) } }] }),
    ];
  },
  streamEnd(answer) {
    return [
      chunk(answer, {}, answer.finishReason),
      sseFrame(
        JSON.stringify({
          id: answer.id,
          object: 'chat.completion.chunk',
          created: answer.created,
          model: answer.model,
          system_fingerprint: 'fp_simulator',
          choices: [],
          usage: usageOf(answer),
        }),
      ),
      sseFrame('[DONE]'),
    ];
  },
  streamError(_answer, message) {
    return sseFrame(JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }));
  },
  malformedFrame() {
    return sseFrame(
      '{"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"delta":{"content":',
    );
  },
};

/**
 * Starts an OpenAI-compatible simulator. Point the `openai` SDK at `${simulator.url}/v1`.
 * Also stands in for Groq and any OpenAI-compatible endpoint.
 */
export function startOpenAISimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulatorServer(openAIDialect, options);
}
