/**
 * Whether Postgres refused a statement because of the data in it (SQLSTATE class 22 "data exception": a NUL
 * byte, a number out of range, a bad timestamp; class 23 "integrity constraint violation": a check or not-null),
 * as opposed to Postgres being unreachable, shutting down, out of resources, or a deadlock, which pass with time.
 * Only a rejection is worth bisecting the batch for; anything else is retried whole, so nothing is dead-lettered
 * because Postgres was briefly away.
 */
export function isRowRejection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * The text a dead letter keeps of a rejection: the SQLSTATE and Postgres's message, capped. Never the error's
 * `detail`, which can quote the row's values.
 */
export function rejectionText(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : 'rejected'}`;
  return text.slice(0, 500);
}
