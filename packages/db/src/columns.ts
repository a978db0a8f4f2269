import { sql, type SQL } from 'drizzle-orm';
import { timestamp } from 'drizzle-orm/pg-core';

/** `timestamp with time zone`; every time column in both databases uses it. */
export function timestamptz() {
  return timestamp({ withTimezone: true });
}

/** `created_at` and `updated_at`; `updated_at` is maintained by a trigger, so writers never set it. */
export function timestamps() {
  return {
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  };
}

/**
 * A check constraint expression limiting a column to a fixed list.
 * Written as raw SQL with the snake_case name because drizzle-kit prints check expressions verbatim.
 */
export function oneOf(columnName: string, values: readonly string[]): SQL {
  const list = values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
  return sql.raw(`"${columnName}" in (${list})`);
}
