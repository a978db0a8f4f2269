import type { ChatRequest } from '../../chat-types.js';
import { LlmError } from '../../errors.js';

/** Nodes visited when looking for the deepest field: enough for any request a gateway accepts, bounded anyway. */
const maxVisitedNodes = 1_000_000;

/** Nesting depth of a JSON-like value, measured without recursion (the value may be too deep to recurse into). */
function depthOf(value: unknown): number {
  let deepest = 0;
  let visited = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0 && visited < maxVisitedNodes) {
    const [node, depth] = stack.pop()!;
    visited += 1;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function serializes(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/** The top-level request field to blame: the one that does not serialize, else the most deeply nested one. */
function fieldToBlame(request: ChatRequest, tooDeep: boolean): string | undefined {
  let blamed: string | undefined;
  let deepest = 0;
  for (const [field, value] of Object.entries(request)) {
    if (!tooDeep && !serializes(value)) return field;
    if (!tooDeep) continue;
    const depth = depthOf(value);
    if (depth > deepest) {
      deepest = depth;
      blamed = field;
    }
  }
  return blamed;
}

/** Whether an error is JSON.stringify refusing a value: too deep (a stack overflow), circular, or a BigInt. */
function serializationProblem(error: unknown): 'too_deep' | 'not_json' | undefined {
  for (let link = error, hops = 0; link instanceof Error && hops < 4; link = link.cause, hops += 1) {
    if (link instanceof RangeError && /call stack/i.test(link.message)) return 'too_deep';
    if (link instanceof TypeError && /circular|BigInt|serializ/i.test(link.message)) return 'not_json';
  }
  return undefined;
}

/**
 * The caller's error behind an SDK failing to serialize the request before sending a byte (e.g. `JSON.stringify`
 * overflowing the stack on deeply nested arrays in a forwarded field): `bad_request`, raised before sending, naming
 * the field. Undefined when the error is something else. Only runs on a failure, so the request is measured then.
 */
export function serializationError(
  error: unknown,
  request: ChatRequest | undefined,
  provider: string,
): LlmError | undefined {
  if (!request) return undefined;
  const problem = serializationProblem(error);
  if (!problem) return undefined;
  const field = fieldToBlame(request, problem === 'too_deep');
  const what = problem === 'too_deep' ? 'is nested too deeply' : 'is not valid JSON';
  return new LlmError(
    field
      ? `Invalid request: the field "${field}" ${what} to be sent.`
      : `Invalid request: the request ${what} to be sent.`,
    { kind: 'bad_request', provider, beforeSend: true, param: field, cause: error },
  );
}
