import { UnsupportedParameterError, withParam } from '../errors.js';

/**
 * Refuses top-level request fields the gateway does not know, unless the deployment lists them in
 * LLM_PASSTHROUGH_PARAMS: an unknown field would otherwise be forwarded to a provider on the server's key and billed
 * to the operator. 400 `unsupported_parameter` names the first such field.
 */
export function createParameterCheck(known: Iterable<string>, passthrough: Iterable<string>) {
  const allowed = new Set([...known, ...passthrough]);
  return function checkParameters(body: unknown): void {
    if (body === null || typeof body !== 'object') return;
    for (const field of Object.keys(body)) {
      if (allowed.has(field)) continue;
      throw withParam(
        new UnsupportedParameterError(
          `The request field \`${field.slice(0, 64)}\` is not supported by this gateway. Remove it, or ask the operator to allow it (LLM_PASSTHROUGH_PARAMS).`,
        ),
        field.slice(0, 64),
      );
    }
  };
}
