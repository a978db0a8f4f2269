import type { FastifyRequest } from 'fastify';
import { InvalidValueError, withParam } from '../errors.js';

/** Deepest nesting of objects and arrays a request body may have (the body itself is depth 1). */
export const maxJsonDepth = 64;

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number | undefined;
}

/** `messages[0].content[2]`, the way OpenAI names fields in `param`. */
function pathOf(frame: Frame): string {
  const keys: Array<string | number> = [];
  for (let current: Frame | undefined = frame; current?.key !== undefined; current = current.parent)
    keys.unshift(current.key);
  return keys.reduce<string>(
    (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key),
    '',
  );
}

/**
 * The path of the first value nested deeper than `limit`, or undefined. Iterative, so a hostile body cannot
 * exhaust the stack; it runs before schema validation, whose validators recurse.
 */
export function findTooDeep(body: unknown, limit: number = maxJsonDepth): string | undefined {
  const stack: Frame[] = [{ value: body, depth: 1, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, depth } = frame;
    if (value === null || typeof value !== 'object') continue;
    if (depth > limit) return pathOf(frame) || 'body';
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value);
    for (const [key, child] of entries)
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, depth: depth + 1, parent: frame, key });
  }
  return undefined;
}

/** preValidation hook: 400 `invalid_value` naming the field where the body nests deeper than `maxJsonDepth`. */
export function rejectDeepJson(request: FastifyRequest): Promise<void> {
  const path = findTooDeep(request.body);
  if (path === undefined) return Promise.resolve();
  return Promise.reject(
    withParam(
      new InvalidValueError(`\`${path}\` nests deeper than ${maxJsonDepth} levels of objects and arrays.`),
      path,
    ),
  );
}
