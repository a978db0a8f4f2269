import createError from '@fastify/error';

/** The OpenAI error `type` each of our error codes is reported under. */
const errorTypes: Record<string, string> = {
  invalid_request: 'invalid_request_error',
  missing_required_parameter: 'invalid_request_error',
  invalid_value: 'invalid_request_error',
  invalid_json: 'invalid_request_error',
  unsupported_media_type: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  invalid_api_key: 'invalid_request_error',
  invalid_admin_key: 'invalid_request_error',
  model_not_found: 'invalid_request_error',
  not_found: 'invalid_request_error',
  forbidden: 'invalid_request_error',
  capability_not_supported: 'invalid_request_error',
  unsupported_parameter: 'invalid_request_error',
  content_filter: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  rate_limit_exceeded: 'rate_limit_error',
  quota_exceeded: 'insufficient_quota',
  all_providers_failed: 'api_error',
  no_providers_configured: 'api_error',
  shutting_down: 'api_error',
  client_closed_request: 'invalid_request_error',
  service_unavailable: 'api_error',
  dependency_unavailable: 'api_error',
  internal_error: 'api_error',
  invalid_state: 'invalid_request_error',
  platform_not_configured: 'invalid_request_error',
  platform_refused: 'invalid_request_error',
  onboarding_incomplete: 'invalid_request_error',
  onboarding_completed: 'invalid_request_error',
  competitor_limit_reached: 'invalid_request_error',
  console_not_built: 'api_error',
};

/** The OpenAI error `type` for one of our codes. */
export function errorTypeFor(code: string, statusCode: number): string {
  return errorTypes[code] ?? (statusCode >= 500 ? 'api_error' : 'invalid_request_error');
}

/** 401: the API key is missing, malformed, unknown or revoked. */
export const InvalidApiKeyError = createError<'invalid_api_key', 401, [string?]>(
  'invalid_api_key',
  '%s',
  401,
);

/** 401: the admin key is missing or wrong. */
export const InvalidAdminKeyError = createError(
  'invalid_admin_key',
  'This endpoint needs the admin key (GATEWAY_ADMIN_KEY) as a Bearer token.',
  401,
);

/** 404: no configured provider serves the requested model. */
export const ModelNotFoundError = createError<'model_not_found', 404, [string]>(
  'model_not_found',
  'The model `%s` does not exist or no configured provider serves it. GET /v1/models lists the models you can use.',
  404,
);

/** 404: a resource that does not exist, or belongs to someone else (the two are indistinguishable on purpose). */
export const NotFoundError = createError<'not_found', 404, [string]>('not_found', '%s not found.', 404);

/** 403: the key is valid but may not see this resource (another user's usage). */
export const ForbiddenError = createError<'forbidden', 403, [string]>('forbidden', '%s', 403);

/** 400: a required request field is absent; `param` names it. */
export const MissingParameterError = createError<'missing_required_parameter', 400, [string]>(
  'missing_required_parameter',
  '%s',
  400,
);

/** 400: a request field holds a value we cannot use. */
export const InvalidValueError = createError<'invalid_value', 400, [string]>('invalid_value', '%s', 400);

/**
 * 400: a request uses a parameter, value or tool this gateway cannot honour, or a top-level chat field it does not
 * forward (not in LLM_PASSTHROUGH_PARAMS); `param` names it (never dropped silently).
 */
export const UnsupportedParameterError = createError<'unsupported_parameter', 400, [string]>(
  'unsupported_parameter',
  '%s',
  400,
);

/** 429: the API key sent more requests per minute than RATE_LIMIT_PER_MINUTE allows. */
export const RateLimitExceededError = createError<'rate_limit_exceeded', 429, [string]>(
  'rate_limit_exceeded',
  '%s',
  429,
);

/** 429: the request would pass one of the user's plan limits; the message names the limit. */
export const QuotaExceededError = createError<'quota_exceeded', 429, [string]>('quota_exceeded', '%s', 429);

/** Response headers an error asks for (`retry-after` of a spent limit, `x-ratelimit-*`). */
export function withHeaders<T extends Error>(error: T, headers: Record<string, string>): T {
  return Object.assign(error, { responseHeaders: headers });
}

/** 503: no provider has credentials; the message names the variables to set. */
export const NoProvidersConfiguredError = createError(
  'no_providers_configured',
  'No LLM provider is configured. Set at least one of OPENAI_API_KEY, GEMINI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY, COHERE_API_KEY (or OPENAI_COMPATIBLE_API_KEY with OPENAI_COMPATIBLE_BASE_URL), or add `local` to LLM_FALLBACK_ORDER.',
  503,
);

/** Attaches the OpenAI `param` (the request field at fault) to an error. */
export function withParam<T extends Error>(error: T, param: string): T & { param: string } {
  return Object.assign(error, { param });
}

/** 503: the gateway is shutting down and takes no new requests; retry against another replica. */
export const ShuttingDownError = createError(
  'shutting_down',
  'This gateway instance is shutting down and takes no new requests. Retry; another instance will answer.',
  503,
);

/** 499 (nginx's code): the client went away before the answer; nobody reads it, it only keeps logs quiet. */
export const ClientClosedRequestError = createError(
  'client_closed_request',
  'The client closed the connection before the answer was ready.',
  499,
);

/** 503: Redis or PostgreSQL did not answer in time; the message names the dependency, never its error text. */
export const DependencyUnavailableError = createError<'dependency_unavailable', 503, [string]>(
  'dependency_unavailable',
  '%s is not answering right now, so this request cannot be served. This is usually temporary; retry after the Retry-After delay.',
  503,
);

/** 400: an OAuth callback's `state` cannot be used (already used, expired, another user's, unknown); says which. */
export const InvalidStateError = createError<'invalid_state', 400, [string]>('invalid_state', '%s', 400);

/** 400: the platform's OAuth app (client id and secret) is not configured, so it cannot be connected. */
export const PlatformNotConfiguredError = createError<'platform_not_configured', 400, [string]>(
  'platform_not_configured',
  '%s',
  400,
);

/** 400: the platform refused what the user brought (authorization code, WordPress password); says what to do. */
export const PlatformRefusedError = createError<'platform_refused', 400, [string]>(
  'platform_refused',
  '%s',
  400,
);

/** 409: `POST /api/onboarding/complete` before the steps it needs; the message names them. */
export const OnboardingIncompleteError = createError<'onboarding_incomplete', 409, [string]>(
  'onboarding_incomplete',
  '%s',
  409,
);

/** 409: an onboarding step sent after completion; what was provisioned is managed through other endpoints. */
export const OnboardingCompletedError = createError(
  'onboarding_completed',
  'Onboarding is already completed. Manage competitors with /api/monitoring/competitors and platforms with /api/connections.',
  409,
);

/** 409: a user already watches the most competitors allowed. */
export const CompetitorLimitError = createError<'competitor_limit_reached', 409, [number]>(
  'competitor_limit_reached',
  'You already watch %d competitors, the most allowed. Remove one with DELETE /api/monitoring/competitors first.',
  409,
);

/** 503: the web console's static files were not built; the message names the command that builds them. */
export const ConsoleNotBuiltError = createError(
  'console_not_built',
  'The web console is not built. Run `pnpm --filter @switchyard/console build` (or `pnpm build`), then restart the gateway.',
  503,
);
