import type { IncomingHttpHeaders } from 'node:http';
import OpenAI from 'openai';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import type { HeaderReader } from '../shared/index.js';

/** Where and how an OpenAI-wire endpoint is called. */
export interface OpenAIWireOptions {
  apiKey: string;
  /** Base URL including the version path, e.g. `https://api.groq.com/openai/v1`. */
  baseUrl: string;
  /** Extra headers on every request (e.g. OpenRouter's `HTTP-Referer`). */
  headers?: Record<string, string> | undefined;
  /** The pooled transport's dispatcher (`createPooledFetch(...).dispatcher`); default undici's global one. */
  dispatcher?: Dispatcher | undefined;
}

/** A 2xx answer: its headers (for rate-limit headroom) and its body, read as JSON or as SSE bytes. */
export interface OpenAIWireResponse {
  headers: HeaderReader;
  body: Dispatcher.ResponseData['body'];
}

function firstValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function toHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) result.append(name, one);
  }
  return result;
}

function parseJson(text: string): object | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `POST {baseUrl}/chat/completions` straight on an undici dispatcher: no WHATWG `Request`, `Headers`, `Response` or
 * web streams on the way, which cost an OpenAI-wire call (through the SDK on `fetch`) more CPU than the rest of
 * the gateway's request handling together (see `pnpm bench:profile`). The SDK is kept where it adds fidelity: a
 * non-2xx answer becomes the very `APIError` subclass the SDK would throw (status, error body, headers), so error
 * classification is unchanged. Redirects are not followed (a 3xx is an error), as with the pooled fetch.
 */
export function createOpenAIWire(options: OpenAIWireOptions) {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const origin = base.origin;
  const path = `${base.pathname}chat/completions${base.search}`;
  const common = {
    authorization: `Bearer ${options.apiKey}`,
    'content-type': 'application/json',
    'user-agent': 'switchyard',
    ...options.headers,
  };
  const jsonHeaders = { ...common, accept: 'application/json' };
  const streamHeaders = { ...common, accept: 'text/event-stream' };
  const dispatcher = options.dispatcher ?? getGlobalDispatcher();

  /** Sends `body` (already JSON); resolves with a 2xx answer, or throws the SDK's error for any other status. */
  async function post(body: string, stream: boolean, signal: AbortSignal): Promise<OpenAIWireResponse> {
    const response = await dispatcher.request({
      origin,
      path,
      method: 'POST',
      headers: stream ? streamHeaders : jsonHeaders,
      body,
      signal,
    });
    if (response.statusCode >= 200 && response.statusCode < 300) {
      const { headers } = response;
      return { headers: { get: (name) => firstValue(headers, name) }, body: response.body };
    }
    const text = await response.body.text().catch(() => '');
    const errorBody = parseJson(text);
    throw OpenAI.APIError.generate(
      response.statusCode,
      errorBody,
      errorBody === undefined ? text : undefined,
      toHeaders(response.headers),
    );
  }

  return { post };
}
