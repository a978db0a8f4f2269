import { z } from 'zod';

/** An integer read from an env string, with bounds that name themselves in the error. */
export function integer(options: { default: number; min?: number; max?: number }) {
  let schema = z.coerce.number({ error: 'must be a number' }).int('must be a whole number');
  if (options.min !== undefined) schema = schema.min(options.min, `must be at least ${options.min}`);
  if (options.max !== undefined) schema = schema.max(options.max, `must be at most ${options.max}`);
  return emptyAsUndefined(schema.default(options.default));
}

/** A URL whose scheme is one of `protocols`. */
export function url(protocols: string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a ${protocols.map((protocol) => `${protocol}//`).join(' or ')} URL` },
  );
}

/** A comma-separated list, trimmed, empty items dropped. */
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** Treat `VAR=` the same as an unset variable, as shells and .env files commonly produce it. */
export function emptyAsUndefined<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema);
}

/** `NODE_ENV`, shared by every process. */
export const nodeEnvSchema = emptyAsUndefined(
  z
    .enum(['development', 'test', 'production'], { error: 'must be development, test or production' })
    .default('development'),
);

/** A boolean read from an env string: `true`/`false`/`1`/`0` (any case); anything else is an error. */
export function flag(defaultValue: boolean) {
  return emptyAsUndefined(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' }))
      .transform((value) => value === 'true' || value === '1')
      .default(defaultValue),
  );
}
