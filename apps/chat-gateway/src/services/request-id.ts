import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Request ids land in logs and usage rows: only short, plain tokens are taken from the client.
const acceptedRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `x-request-id` when it is at most 128 characters of `[A-Za-z0-9._:-]`, else a fresh UUID. */
export function requestIdFor(request: Pick<IncomingMessage, 'headers'>): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && acceptedRequestId.test(incoming) ? incoming : randomUUID();
}
