/**
 * Removes NUL characters from every string (values and keys) of a parsed JSON body, in place. PostgreSQL's text
 * cannot hold U+0000: one model name or message with it would make every row written from it fail, so it is
 * dropped at the edge. Iterative, so a hostile deep body cannot overflow the stack before the depth check runs.
 */
export function stripNul(body: unknown): unknown {
  if (typeof body === 'string') return body.includes('\0') ? body.replaceAll('\0', '') : body;
  const pending: object[] = [];
  if (body !== null && typeof body === 'object') pending.push(body);
  for (let container = pending.pop(); container !== undefined; container = pending.pop()) {
    const record = container as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      let cleanKey = key;
      if (key.includes('\0')) {
        cleanKey = key.replaceAll('\0', '');
        delete record[key];
        record[cleanKey] = value;
      }
      if (typeof value === 'string') {
        if (value.includes('\0')) record[cleanKey] = value.replaceAll('\0', '');
      } else if (value !== null && typeof value === 'object') {
        pending.push(value);
      }
    }
  }
  return body;
}
