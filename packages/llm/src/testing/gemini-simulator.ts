import { geminiEmbeddingDialect } from './gemini-embedding-dialect.js';
import {
  contentText,
  readConversation,
  startSimulatorServer,
  type ParsedCall,
  type SimulatedAnswer,
  type SimulatedErrorKind,
  type SimulatedResponse,
  type Simulator,
  type SimulatorDialect,
  type SimulatorOptions,
} from './simulator-server.js';

interface GeminiWireRequest {
  contents?: Array<{ role?: string; parts?: unknown }>;
  tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
}

/** Google API errors: HTTP status, RPC status and Gemini's own wording. */
const errorShapes: Record<SimulatedErrorKind, { status?: number; rpcStatus: string; message?: string }> = {
  rate_limit: {
    rpcStatus: 'RESOURCE_EXHAUSTED',
    message: 'You exceeded your current quota, please check your plan and billing details.',
  },
  server_error: {
    rpcStatus: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  overloaded: {
    status: 503,
    rpcStatus: 'UNAVAILABLE',
    message: 'The model is overloaded. Please try again later.',
  },
  context_length: {
    rpcStatus: 'INVALID_ARGUMENT',
    message: 'The input token count (1048600) exceeds the maximum number of tokens allowed (1048576).',
  },
  content_filter: { rpcStatus: 'INVALID_ARGUMENT' },
  prefill_rejected: {
    rpcStatus: 'INVALID_ARGUMENT',
    message: 'Please ensure that multiturn requests end with a user role or a function response.',
  },
  // Gemini answers an invalid key with 400, not 401.
  auth: {
    status: 400,
    rpcStatus: 'INVALID_ARGUMENT',
    message: 'API key not valid. Please pass a valid API key.',
  },
  not_found: {
    rpcStatus: 'NOT_FOUND',
    message: 'models/unknown is not found for API version v1beta, or is not supported for generateContent.',
  },
  bad_request: {
    rpcStatus: 'INVALID_ARGUMENT',
    message: "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), 3",
  },
};

/** The simulator pretends half of every prompt was served from a context cache, so cached-token mapping is observable. */
function usageOf(answer: SimulatedAnswer, complete: boolean) {
  return {
    promptTokenCount: answer.promptTokens,
    ...(complete ? { candidatesTokenCount: answer.completionTokens } : {}),
    totalTokenCount: answer.promptTokens + (complete ? answer.completionTokens : 0),
    cachedContentTokenCount: Math.floor(answer.promptTokens / 2),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.promptTokens }],
  };
}

/** Gemini streams are plain `data:` frames terminated by CRLF pairs, with no event names and no terminator. */
function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}

/** Gemini's finish of an answer: STOP, or SAFETY with the rating that blocked it when its filter stopped it. */
function finishOf(answer: SimulatedAnswer): { finishReason: string; safetyRatings?: unknown[] } {
  if (answer.finishReason !== 'content_filter') return { finishReason: 'STOP' };
  return {
    finishReason: 'SAFETY',
    safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
  };
}

function response(
  answer: SimulatedAnswer,
  parts: unknown[],
  finish: { finishReason: string; safetyRatings?: unknown[] } | undefined,
  complete: boolean,
) {
  return {
    // A candidate the filter stopped before any text has no content at all.
    candidates: [{ ...(parts.length > 0 ? { content: { parts, role: 'model' } } : {}), ...finish, index: 0 }],
    usageMetadata: usageOf(answer, complete),
    modelVersion: answer.model,
    responseId: answer.id,
  };
}

/** A blocked prompt the way Gemini reports one: HTTP 200, no candidates, `promptFeedback.blockReason`. */
function blockedPrompt(call: ParsedCall | undefined): SimulatedResponse {
  const body = {
    promptFeedback: {
      blockReason: 'SAFETY',
      safetyRatings: [
        { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH' },
        { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
      ],
    },
    usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
    modelVersion: call?.model ?? 'unknown',
  };
  if (!call?.stream) return { status: 200, body };
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: frame(body) };
}

function geminiError(code: number, rpcStatus: string, message: string, details: unknown[] = []) {
  return { error: { code, message, status: rpcStatus, ...(details.length > 0 ? { details } : {}) } };
}

// The shared server calls parseCall and then, synchronously, errorResponse for the same request: the call
// parsed last is the one being answered.
let lastCall: ParsedCall | undefined;

/**
 * The Gemini API wire format: `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`, Google API error bodies with `google.rpc.RetryInfo` details.
 */
export const geminiDialect: SimulatorDialect = {
  embeddings: geminiEmbeddingDialect,
  name: 'gemini',
  parseCall(method, path, body): ParsedCall | undefined {
    const match = /\/v1(?:beta)?\/models\/([^/:?]+):(generateContent|streamGenerateContent)(?:\?|$)/.exec(
      path,
    );
    if (method !== 'POST' || !match || !body || typeof body !== 'object') {
      lastCall = undefined;
      return undefined;
    }
    const request = body as GeminiWireRequest;
    const turns = (request.contents ?? []).map((content) => ({
      role: content.role === 'model' ? 'assistant' : 'user',
      text: contentText(content.parts),
    }));
    lastCall = {
      model: decodeURIComponent(match[1] ?? 'unknown'),
      stream: match[2] === 'streamGenerateContent',
      toolName: request.tools?.[0]?.functionDeclarations?.[0]?.name,
      ...readConversation(turns),
    };
    return lastCall;
  },
  errorResponse(kind, status, message, retryAfterSeconds): SimulatedResponse {
    if (kind === 'content_filter') return blockedPrompt(lastCall);
    const shape = errorShapes[kind];
    const code = shape.status ?? status;
    const details: unknown[] = [];
    if (kind === 'rate_limit') {
      details.push(
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds ?? 60}s` },
      );
    }
    if (kind === 'auth') {
      details.push({
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
      });
    }
    return { status: code, body: geminiError(code, shape.rpcStatus, shape.message ?? message, details) };
  },
  rateLimitHeaders() {
    // The Gemini API sends no rate-limit headers; quota shows only as 429 RESOURCE_EXHAUSTED.
    return {};
  },
  completionBody(answer) {
    const parts = answer.toolCall
      ? [
          {
            functionCall: {
              name: answer.toolCall.name,
              args: JSON.parse(answer.toolCall.arguments) as unknown,
            },
          },
        ]
      : answer.text === '' && answer.finishReason === 'content_filter'
        ? []
        : [{ text: answer.text }];
    return response(answer, parts, finishOf(answer), true);
  },
  streamStart() {
    return [];
  },
  streamToken(answer, token) {
    return frame(response(answer, [{ text: token }], undefined, false));
  },
  streamToolCall(answer) {
    const call = answer.toolCall;
    if (!call) return [];
    // Gemini sends a function call whole, in one event.
    return [
      frame(
        response(
          answer,
          [{ functionCall: { name: call.name, args: JSON.parse(call.arguments) as unknown } }],
          undefined,
          false,
        ),
      ),
    ];
  },
  streamEnd(answer) {
    const parts = answer.finishReason === 'content_filter' ? [] : [{ text: '' }];
    return [frame(response(answer, parts, finishOf(answer), true))];
  },
  streamError(_answer, message) {
    return frame(geminiError(500, 'INTERNAL', message));
  },
  malformedFrame() {
    return 'data: {"candidates":[{"content":{"parts":[{"text":\r\n\r\n';
  },
};

/** Starts a Gemini API simulator. Pass `simulator.url` as the SDK's `baseUrl` request option. */
export function startGeminiSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulatorServer(geminiDialect, options);
}
