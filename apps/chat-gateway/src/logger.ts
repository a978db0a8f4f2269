import { logRedactCensor, logRedactPaths, type RuntimeConfig } from '@switchyard/config';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

// Query parameters that carry credentials: an OAuth callback's authorization code and state (either lets whoever
// reads the log finish someone's connection while it is valid).
const secretQueryParameters = ['code', 'state'];

/** A request URL with the values of credential query parameters blanked. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const parameters = new URLSearchParams(url.slice(query + 1));
  let changed = false;
  for (const name of secretQueryParameters)
    if (parameters.has(name)) {
      parameters.set(name, logRedactCensor);
      changed = true;
    }
  return changed ? `${url.slice(0, query)}?${parameters.toString()}` : url;
}

/** Logger options for the gateway: level from LOG_LEVEL, secrets redacted, errors without stacks. */
export function createLoggerOptions(runtime: RuntimeConfig): LoggerOptions {
  return {
    level: runtime.logLevel,
    // One list for both apps (packages/config), so a credential field added there is blanked everywhere.
    redact: { paths: [...logRedactPaths], censor: logRedactCensor },
    serializers: {
      // Stacks and causes can carry request bodies or keys; logs get the name and message only.
      // Fastify's own request fields, with the URL's credential parameters blanked.
      req: (request: { method?: string; url?: string; host?: string; ip?: string }) => ({
        method: request.method,
        url: request.url === undefined ? undefined : redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
      }),
      err: (error: Error & { code?: unknown }) => ({
        type: error.name,
        message: error.message,
        code: error.code,
      }),
    },
  };
}

/**
 * Fastify's per-request log lines. Its defaults ("incoming request" and "request completed" at info) were two
 * synchronous stdout writes on every request's hot path; here a served request writes nothing at info and one access
 * line at debug. Request counts, statuses and latencies are in /metrics; a failed request is logged by the error
 * handler, and a response that failed while being sent still is, here.
 */
export class GatewayLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) reply.log.error({ err: error, responseTimeMs: reply.elapsedTime }, 'request errored');
    else if (reply.log.level === 'debug' || reply.log.level === 'trace')
      reply.log.debug(
        { req: request, statusCode: reply.statusCode, responseTimeMs: reply.elapsedTime },
        'request completed',
      );
  }
}
