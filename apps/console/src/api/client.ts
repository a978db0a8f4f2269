import { readSession } from '../session.js';

/** A failed call, carrying the API's own message (the `{ error: { message, code } }` envelope). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The bearer header of the signed-in key (or of `key`, while signing in). */
export function authHeaders(key = readSession()?.key): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** Turns a failed answer into an ApiError with the API's message, or a plain one naming the status. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let message = `The gateway answered ${response.status} ${response.statusText}.`.replace(' .', '.');
  let code: string | null = null;
  try {
    const body = (await response.json()) as { error?: { message?: unknown; code?: unknown } };
    if (typeof body.error?.message === 'string') message = body.error.message;
    if (typeof body.error?.code === 'string') code = body.error.code;
  } catch {
    // Not JSON (a proxy's page): the status line is all there is.
  }
  return new ApiError(message, response.status, code);
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Overrides the session's key (sign-in checks a key before keeping it). */
  key?: string;
}

/** Calls the gateway with the session's bearer key; resolves the JSON answer (undefined for 204). */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(options.key) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError('The gateway cannot be reached. Is it running?', 0, 'network');
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Adds query parameters, leaving out empty ones. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
