import { logRedactCensor, logRedactPaths, type RuntimeConfig } from '@switchyard/config';
import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, LoggerOptions } from 'pino';

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

type LogArguments = [obj: object | string, msg?: string, ...args: unknown[]];

/**
 * A request's logger, built only when the request logs something. Fastify made a pino child per request, its
 * bindings run through redaction (1.6% of a chat request's CPU in `pnpm bench:profile`), for a logger that at
 * info writes nothing on a served request's way.
 */
class LazyChildLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  fatal(...args: LogArguments): void {
    this.logger.fatal(...args);
  }
  error(...args: LogArguments): void {
    this.logger.error(...args);
  }
  warn(...args: LogArguments): void {
    this.logger.warn(...args);
  }
  info(...args: LogArguments): void {
    this.logger.info(...args);
  }
  debug(...args: LogArguments): void {
    this.logger.debug(...args);
  }
  trace(...args: LogArguments): void {
    this.logger.trace(...args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

/** Fastify's per-request logger factory: a child made on first use (see `LazyChildLogger`). */
export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}
