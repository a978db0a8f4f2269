import type { ChatRequest } from '../../chat-types.js';
import { LlmError } from '../../errors.js';

/** Request fields every non-OpenAI adapter accepts without passing them on: they do not change the answer. */
const fieldsWithoutEffect: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'store',
  'metadata',
]);

/** Request fields every non-OpenAI adapter converts to its vendor's form. */
const convertedFields = [
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'response_format',
  'tools',
  'tool_choice',
];

/** The fields an adapter honours: those every adapter converts, and the ones its vendor also takes. */
export function honouredFields(...vendorFields: string[]): ReadonlySet<string> {
  return new Set([...convertedFields, ...vendorFields]);
}

/** The typed error for a feature the provider cannot honour; never dropped silently. Raised before any call: no status. */
export function unsupportedFeature(provider: string, feature: string): LlmError {
  return new LlmError(`Provider ${provider} does not support ${feature}.`, {
    kind: 'unsupported_feature',
    provider,
    beforeSend: true,
  });
}

/** Throws `unsupported_feature` for the first request field that is set and that the adapter cannot honour. */
export function rejectUnsupportedFields(
  request: ChatRequest,
  honoured: ReadonlySet<string>,
  provider: string,
): void {
  for (const [field, value] of Object.entries(request)) {
    if (value === undefined || value === null) continue;
    if (fieldsWithoutEffect.has(field) || honoured.has(field)) continue;
    if (field === 'n' && value === 1) continue;
    if (field === 'parallel_tool_calls' && value === true) continue;
    throw unsupportedFeature(provider, `the request field "${field}"`);
  }
}
