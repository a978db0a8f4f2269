import { authHeaders, errorFrom, ApiError } from './client.js';
import { createSseParser } from './sse.js';

export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** The `x-gateway-*`, quota and request-id headers of an answer, as sent. */
export type GatewayHeaders = Record<string, string>;

export interface StreamedAnswer {
  text: string;
  /** Who wrote the answer: the final chunk's `x_gateway.contributors` (right after a mid-stream fallback). */
  contributors: string[];
  usage: { prompt_tokens: number; completion_tokens: number } | null;
}

interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  x_gateway?: { contributors?: unknown };
}

function pickHeaders(headers: Headers): GatewayHeaders {
  const picked: GatewayHeaders = {};
  headers.forEach((value, name) => {
    if (name.startsWith('x-gateway-') || name.startsWith('x-quota-') || name === 'x-request-id')
      picked[name] = value;
  });
  return picked;
}

function contributorNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item === 'string') return [item];
    if (item && typeof item === 'object' && 'provider' in item) return [String(item.provider)];
    return [];
  });
}

/** Streams a chat over /v1/chat/completions, calling back with the headers first and then each piece of text. */
export async function streamChat(options: {
  model: string;
  messages: ChatMessage[];
  signal: AbortSignal;
  onHeaders: (headers: GatewayHeaders) => void;
  onText: (text: string) => void;
}): Promise<StreamedAnswer> {
  const response = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...authHeaders() },
    body: JSON.stringify({
      model: options.model,
      messages: options.messages,
      stream: true,
      stream_options: { include_usage: true },
    }),
    signal: options.signal,
  });
  if (!response.ok) throw await errorFrom(response);
  options.onHeaders(pickHeaders(response.headers));
  if (!response.body) throw new ApiError('The gateway sent no stream.', response.status, null);

  const answer: StreamedAnswer = { text: '', contributors: [], usage: null };
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const handle = (payload: string) => {
    if (payload === '[DONE]') return;
    const chunk = JSON.parse(payload) as Chunk & { error?: { message?: string; code?: string } };
    if (chunk.error)
      throw new ApiError(chunk.error.message ?? 'The stream failed.', 200, chunk.error.code ?? null);
    const text = chunk.choices?.[0]?.delta?.content;
    if (text) {
      answer.text += text;
      options.onText(text);
    }
    if (chunk.usage) answer.usage = chunk.usage;
    if (chunk.x_gateway) answer.contributors = contributorNames(chunk.x_gateway.contributors);
  };
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.push(decoder.decode(value, { stream: true })).forEach(handle);
  }
  parser.flush().forEach(handle);
  return answer;
}
