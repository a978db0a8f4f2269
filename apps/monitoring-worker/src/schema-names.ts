import { getTableName } from '@switchyard/db';

/** A Drizzle table of our schema. */
export type SchemaTable = Parameters<typeof getTableName>[0];

/**
 * `lastSuccess` -> `last_success`: the SQL name the clients' `snake_case` casing gives a column declared by
 * its key alone, as every column of our schema is. Types only (drizzle-orm's `column.name` is the key, not
 * the SQL name), so a statement's text holds plain names that the compiler still checks against the schema.
 */
type SnakeCase<Key extends string> = Key extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : Key;

/** The SQL name of a column of `Table`; for a union of tables, of a column every one of them has. */
export type ColumnName<Table extends SchemaTable> = SnakeCase<Extract<keyof Table['_']['columns'], string>>;

/** Quotes an identifier for a statement's text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The quoted SQL name of `table`, read from the schema. */
export function tableName(table: SchemaTable): string {
  return quoteIdentifier(getTableName(table));
}

/**
 * Quoted SQL names of the columns a statement uses (`columnsOf(tasks, ['last_success']).last_success` is
 * `"last_success"`). The compiler rejects a name `table` does not have: renaming a column breaks the build.
 */
export function columnsOf<Table extends SchemaTable, const Name extends ColumnName<Table>>(
  _table: Table,
  names: readonly Name[],
): Record<Name, string> {
  return Object.fromEntries(names.map((name) => [name, quoteIdentifier(name)])) as Record<Name, string>;
}
