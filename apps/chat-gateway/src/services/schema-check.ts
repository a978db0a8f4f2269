import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { toParam } from '../error-handler.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/**
 * Checks `value` against a TypeBox schema chosen at request time (one route, a body per step) and throws the
 * same 400 a route schema would: `invalid_value` / `missing_required_parameter` naming the field in `param`.
 */
export function checkAgainst<Schema extends TSchema>(schema: Schema, value: unknown): Static<Schema> {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(value)) return value;
  const first = check.Errors(value).First();
  const param = first ? toParam(first.path) : null;
  const missing = first !== undefined && first.value === undefined;
  const message = first
    ? `${param ? `\`${param}\`` : 'The body'} ${missing ? 'is required' : `is invalid: ${first.message}`}.`
    : 'The body is invalid.';
  throw Object.assign(new Error(message), {
    statusCode: 400,
    validation: [
      {
        keyword: missing ? 'required' : 'type',
        instancePath: first?.path ?? '',
        schemaPath: '',
        params: {},
        message,
      },
    ],
  });
}
