const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A result's fields as name/value pairs a person can read: nested objects one level deep (`totals.clicks`), lists
 * of records as their row count (an insights snapshot's `byQuery`), deeper structure left out.
 */
export function headlineFacts(source: Record<string, unknown>): [string, unknown][] {
  return Object.entries(source).flatMap(([name, value]): [string, unknown][] => {
    if (isRecord(value))
      return Object.entries(value)
        .filter(([, inner]) => !isRecord(inner) && !Array.isArray(inner))
        .map(([innerName, inner]) => [`${name}.${innerName}`, inner]);
    if (Array.isArray(value) && value.some(isRecord))
      return [[name, `${value.length} ${value.length === 1 ? 'row' : 'rows'}`]];
    return [[name, value]];
  });
}
