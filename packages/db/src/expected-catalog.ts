import { toSnakeCase } from 'drizzle-orm/casing';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { normalizeType } from './column-type.js';
import type { DatabaseLayout, DatabaseName } from './layout.js';

/** A column as the Drizzle schema declares it, with the type spelled as `format_type()` does. */
export interface ExpectedColumn {
  name: string;
  type: string;
  notNull: boolean;
}

/** Everything the verifier requires of one table, named as Postgres stores it. */
export interface ExpectedTable {
  name: string;
  columns: ExpectedColumn[];
  indexes: string[];
  checks: string[];
  foreignKeys: string[];
  triggers: string[];
  rowLevelSecurity: boolean;
}

/** Postgres truncates identifiers to 63 bytes (NAMEDATALEN - 1); drizzle-kit's long default names get cut. */
function identifier(name: string): string {
  const bytes = Buffer.from(name);
  return bytes.length <= 63 ? name : bytes.subarray(0, 63).toString('utf8');
}

function columnName(column: { name: string; keyAsName: boolean }): string {
  return column.keyAsName ? toSnakeCase(column.name) : column.name;
}

const expectedCache = new Map<DatabaseName, ExpectedTable[]>();

/** The catalog a database must have, built from its Drizzle table objects (cached: the schema is static). */
export function expectedCatalog(layout: DatabaseLayout): ExpectedTable[] {
  const cached = expectedCache.get(layout.name);
  if (cached) return cached;
  const tables = layout.tables.map((table) => {
    const config = getTableConfig(table);
    const columns = config.columns.map((column) => ({
      name: columnName(column),
      type: normalizeType(column.getSQLType()),
      notNull: column.notNull,
    }));
    const indexes = [
      ...(config.primaryKeys.length > 0
        ? config.primaryKeys.map((key) => key.getName())
        : [`${config.name}_pkey`]),
      ...config.indexes.map((index) => index.config.name).filter((name): name is string => Boolean(name)),
      ...config.uniqueConstraints
        .map((constraint) => constraint.getName())
        .filter((name): name is string => Boolean(name)),
    ].map(identifier);
    const rowLevelSecurity = layout.rowLevelSecurityTables.includes(config.name);
    return {
      name: config.name,
      columns,
      indexes,
      checks: config.checks.map((check) => identifier(check.name)),
      // drizzle-kit's default name, computed from snake_case names (drizzle-orm's own getName() ignores casing).
      foreignKeys: config.foreignKeys.map((foreignKey) => {
        const reference = foreignKey.reference();
        const target = getTableConfig(reference.foreignTable).name;
        const fallback = `${config.name}_${reference.columns.map(columnName).join('_')}_${target}_${reference.foreignColumns.map(columnName).join('_')}_fk`;
        return identifier(reference.name ?? fallback);
      }),
      // The updated_at trigger is how `updated_at` stays true; its name is fixed by the custom migrations.
      triggers: columns.some((column) => column.name === 'updated_at')
        ? [`${config.name}_set_updated_at`]
        : [],
      rowLevelSecurity,
    };
  });
  expectedCache.set(layout.name, tables);
  return tables;
}
