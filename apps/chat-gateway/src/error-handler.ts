import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AllProvidersFailedError, LlmError } from '@switchyard/llm';
import { errorTypeFor } from './errors.js';

/** The OpenAI error envelope every failed request answers with. */
export interface OpenAIErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: string | null;
    param: string | null;
    [extra: string]: unknown;
  };
}

interface MappedError {
  statusCode: number;
  envelope: OpenAIErrorEnvelope;
}

function envelope(
  statusCode: number,
  code: string,
  message: string,
  param: string | null = null,
  extra: Record<string, unknown> = {},
): MappedError {
  return {
    statusCode,
    envelope: { error: { message, type: errorTypeFor(code, statusCode), code, param, ...extra } },
  };
}

/** `/messages/0/role` -> `messages[0].role`, the way OpenAI names fields in `param`. */
export function toParam(instancePath: string, missingProperty?: unknown): string | null {
  const segments = instancePath.split('/').filter((segment) => segment.length > 0);
  if (typeof missingProperty === 'string') segments.push(missingProperty);
  if (segments.length === 0) return null;
  return segments.reduce(
    (path, segment) =>
      /^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment,
    '',
  );
}

/**
 * A single-provider failure that is the caller's (bad request, context length, a refusal under a content policy)
 * keeps a 4xx status; anything else reaching here is a provider failure.
 */
function mapLlmError(error: LlmError): MappedError {
  // The request field a validation or serialization failure names, when the client knows it.
  const param = error.param ?? null;
  switch (error.kind) {
    case 'content_filter':
      // The provider's reason is safe to show (LlmError messages never carry raw bodies); OpenAI answers 400 too.
      return envelope(400, 'content_filter', error.message, param);
    case 'context_length':
      return envelope(400, 'context_length_exceeded', error.message, param ?? 'messages');
    case 'bad_request':
    case 'unsupported_feature':
      return envelope(400, 'invalid_request', error.message, param);
    case 'not_found':
      return envelope(404, 'model_not_found', error.message, 'model');
    default:
      return envelope(502, 'all_providers_failed', error.message);
  }
}

/** Maps any thrown value to an HTTP status and the OpenAI envelope; 5xx messages never carry internals. */
export function mapError(error: unknown, requestId: string, maxBodyBytes: number): MappedError {
  if (error instanceof AllProvidersFailedError) {
    const attempts = error.attempts.map((attempt) => ({
      provider: attempt.provider,
      model: attempt.model,
      outcome: attempt.outcome,
      kind: attempt.errorKind ?? attempt.skipReason ?? null,
      status: attempt.status ?? null,
    }));
    const summary = attempts
      .map(
        (attempt) =>
          `${attempt.provider} (${attempt.kind ?? attempt.outcome}${attempt.status ? ` ${attempt.status}` : ''})`,
      )
      .join(', ');
    return envelope(
      502,
      'all_providers_failed',
      `Every provider we tried failed to answer: ${summary || 'none were available'}. This is usually temporary; retry in a few seconds.`,
      null,
      { attempts },
    );
  }
  if (error instanceof LlmError) return mapLlmError(error);
  const fastifyError = (error ?? {}) as Partial<FastifyError> & { param?: unknown };
  if (fastifyError.validation) {
    const first = fastifyError.validation[0];
    const missing =
      first?.params && 'missingProperty' in first.params ? first.params.missingProperty : undefined;
    const code = first?.keyword === 'required' ? 'missing_required_parameter' : 'invalid_value';
    const param = first ? toParam(first.instancePath, missing) : null;
    const allowed =
      first?.keyword === 'enum' ? (first.params as { allowedValues?: unknown }).allowedValues : undefined;
    const message =
      param && Array.isArray(allowed)
        ? `\`${param}\` must be one of: ${allowed.map(String).join(', ')}.`
        : (fastifyError.message ?? 'Invalid request.');
    return envelope(400, code, message, param);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return envelope(
        413,
        'request_too_large',
        `The request body is larger than the ${maxBodyBytes} bytes this gateway accepts (MAX_BODY_BYTES).`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return envelope(415, 'unsupported_media_type', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return envelope(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return envelope(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  const statusCode = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  // @fastify/error upper-cases codes; the envelope uses OpenAI's lower-case style.
  const ownCode =
    typeof fastifyError.code === 'string' && !fastifyError.code.startsWith('FST_')
      ? fastifyError.code.toLowerCase()
      : undefined;
  if (statusCode === 429 && ownCode === undefined) {
    return envelope(429, 'rate_limit_exceeded', fastifyError.message ?? 'Too many requests.');
  }
  if (statusCode < 500 || (ownCode !== undefined && serviceCodes.has(ownCode))) {
    const code =
      ownCode ??
      (statusCode === 404 ? 'not_found' : statusCode === 429 ? 'rate_limit_exceeded' : 'invalid_request');
    const param = typeof fastifyError.param === 'string' ? fastifyError.param : null;
    return envelope(statusCode, code, fastifyError.message ?? 'Invalid request.', param);
  }
  return envelope(
    500,
    'internal_error',
    `The gateway hit an unexpected error. Quote request id ${requestId} when reporting it.`,
  );
}

const serviceCodes = new Set([
  'no_providers_configured',
  'shutting_down',
  'service_unavailable',
  'all_providers_failed',
  'dependency_unavailable',
  'console_not_built',
]);

/** Seconds a client should wait before retrying a request that failed on an unavailable dependency. */
const dependencyRetryAfterSeconds = 1;

/** Fastify error handler: log once (no stack, no secrets) and answer with the OpenAI envelope. */
export function createErrorHandler(maxBodyBytes: number) {
  return function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const mapped = mapError(error, request.id, maxBodyBytes);
    const message = error instanceof Error ? error.message : String(error);
    const name = error instanceof Error ? error.name : typeof error;
    if (mapped.statusCode >= 500) {
      request.log.error(
        { errorName: name, errorMessage: message, code: mapped.envelope.error.code },
        'request failed',
      );
    } else {
      request.log.info(
        { code: mapped.envelope.error.code, statusCode: mapped.statusCode },
        'request rejected',
      );
    }
    if (reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    if (mapped.envelope.error.code === 'dependency_unavailable')
      reply.header('retry-after', String(dependencyRetryAfterSeconds));
    const { responseHeaders } = error as { responseHeaders?: Record<string, string> };
    if (responseHeaders) reply.headers(responseHeaders);
    return reply.code(mapped.statusCode).type('application/json').send(mapped.envelope);
  };
}
