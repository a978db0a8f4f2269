import { LlmError } from '../../errors.js';

/** The caller sent something no provider could accept (e.g. tool arguments that are not JSON). Raised before any call. */
export function invalidRequest(provider: string, problem: string, param?: string): LlmError {
  return new LlmError(`Invalid request: ${problem}.`, {
    kind: 'bad_request',
    provider,
    beforeSend: true,
    param,
  });
}
