import { invalidRequest } from './invalid-request.js';

/** Parses a JSON tool-call argument string into an object, as Anthropic and Gemini want it. */
export function parseToolArguments(argumentsJson: string, provider: string): Record<string, unknown> {
  if (argumentsJson.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the typed error
  }
  throw invalidRequest(provider, 'tool call arguments must be a JSON object');
}
