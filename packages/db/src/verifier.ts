import { toSnakeCase } from 'drizzle-orm/casing';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { databaseLayouts, migrationsSchema, type DatabaseLayout, type DatabaseName } from './layout.js';
import { readMigrationFiles } from './migration-files.js';

/** What kind of difference between the Drizzle schema and the live catalog an issue describes. */
export type SchemaIssueKind =
  | 'unreachable'
  | 'missing_table'
  | 'missing_column'
  | 'column_type'
  | 'column_nullability'
  | 'missing_index'
  | 'missing_check'
  | 'missing_foreign_key'
  | 'missing_row_level_security'
  | 'missing_policy'
  | 'missing_trigger'
  | 'wrong_database'
  | 'pending_migration'
  | 'edited_migration'
  | 'unknown_migration'
  | 'unexpected_table'
  | 'unexpected_column'
  | 'unexpected_index';

/** One finding. Errors mean the process must not serve; warnings are unknown extra objects. */
export interface SchemaIssue {
  kind: SchemaIssueKind;
  severity: 'error' | 'warning';
  table?: string;
  message: string;
}

/** Verification of one database. */
export interface DatabaseSchemaReport {
  database: DatabaseName;
  /** `host:port/name`, never credentials. */
  identity: string;
  reachable: boolean;
  issues: SchemaIssue[];
  migrations: { applied: number; pending: string[] };
}

/** Verification of both databases: `ok`, `drift` (an error issue) or `unreachable` (could not connect). */
export interface SchemaReport {
  status: 'ok' | 'drift' | 'unreachable';
  checkedAt: string;
  databases: DatabaseSchemaReport[];
}

interface ExpectedColumn {
  name: string;
  type: string;
  notNull: boolean;
}

interface ExpectedTable {
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

const typeAliases: Record<string, string> = {
  serial: 'integer',
  bigserial: 'bigint',
  smallserial: 'smallint',
  varchar: 'character varying',
  char: 'character',
  timestamp: 'timestamp without time zone',
  time: 'time without time zone',
};

/** Normalizes a type name so Drizzle's spelling and `format_type()` compare equal. */
function normalizeType(type: string): string {
  const compact = type
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .trim();
  const base = compact.replace(/\(.*$/, '');
  const alias = typeAliases[base];
  return alias ? compact.replace(base, alias) : compact;
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

interface LiveCatalog {
  tables: Map<string, { rowLevelSecurity: boolean; forced: boolean }>;
  columns: Map<string, Map<string, { type: string; notNull: boolean }>>;
  indexes: Map<string, Set<string>>;
  checks: Map<string, Set<string>>;
  foreignKeys: Map<string, Set<string>>;
  triggers: Map<string, Set<string>>;
  policies: Map<string, Set<string>>;
  applied: Map<string, string> | undefined;
  databaseRole: string | undefined;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

function group(rows: { table_name: string; name: string }[]): Map<string, Set<string>> {
  const grouped = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = grouped.get(row.table_name) ?? new Set<string>();
    set.add(row.name);
    grouped.set(row.table_name, set);
  }
  return grouped;
}

// One round trip for the whole public-schema catalog; names are compared as plain text.
const catalogSql = `
select c.relname as table_name, c.relrowsecurity as rls, c.relforcerowsecurity as forced
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p');
select c.relname as table_name, a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped;
select tablename as table_name, indexname as name from pg_indexes where schemaname = 'public';
select c.relname as table_name, con.conname as name, con.contype as type
  from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and con.contype in ('c', 'f');
select c.relname as table_name, t.tgname as name
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and not t.tgisinternal;
select tablename as table_name, policyname as name from pg_policies where schemaname = 'public';
select to_regclass('${migrationsSchema}.applied') is not null as has_applied,
       to_regclass('${migrationsSchema}.database_role') is not null as has_role;`;

async function readLiveCatalog(client: Queryable): Promise<LiveCatalog> {
  const results = (await client.query(catalogSql)) as unknown as pg.QueryResult<Record<string, unknown>>[];
  const [tables, columns, indexes, constraints, triggers, policies, bookkeeping] = results.map(
    (result): unknown => result.rows,
  ) as [
    { table_name: string; rls: boolean; forced: boolean }[],
    { table_name: string; name: string; type: string; not_null: boolean }[],
    { table_name: string; name: string }[],
    { table_name: string; name: string; type: 'c' | 'f' }[],
    { table_name: string; name: string }[],
    { table_name: string; name: string }[],
    { has_applied: boolean; has_role: boolean }[],
  ];
  const columnMap = new Map<string, Map<string, { type: string; notNull: boolean }>>();
  for (const row of columns) {
    const table = columnMap.get(row.table_name) ?? new Map<string, { type: string; notNull: boolean }>();
    table.set(row.name, { type: normalizeType(row.type), notNull: row.not_null });
    columnMap.set(row.table_name, table);
  }
  let applied: Map<string, string> | undefined;
  let databaseRole: string | undefined;
  if (bookkeeping[0]?.has_applied) {
    const rows = await client.query<{ name: string; sha256: string }>(
      `select name, sha256 from ${migrationsSchema}.applied`,
    );
    applied = new Map(rows.rows.map((row) => [row.name, row.sha256]));
  }
  if (bookkeeping[0]?.has_role) {
    const rows = await client.query<{ name: string }>(`select name from ${migrationsSchema}.database_role`);
    databaseRole = rows.rows[0]?.name;
  }
  return {
    tables: new Map(tables.map((row) => [row.table_name, { rowLevelSecurity: row.rls, forced: row.forced }])),
    columns: columnMap,
    indexes: group(indexes),
    checks: group(constraints.filter((constraint) => constraint.type === 'c')),
    foreignKeys: group(constraints.filter((constraint) => constraint.type === 'f')),
    triggers: group(triggers),
    policies: group(policies),
    applied,
    databaseRole,
  };
}

function compareTables(layout: DatabaseLayout, other: DatabaseLayout, live: LiveCatalog): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const error = (kind: SchemaIssueKind, table: string, message: string) =>
    issues.push({ kind, severity: 'error', table, message });
  const warning = (kind: SchemaIssueKind, table: string, message: string) =>
    issues.push({ kind, severity: 'warning', table, message });
  const expected = expectedCatalog(layout);
  for (const table of expected) {
    const liveTable = live.tables.get(table.name);
    if (!liveTable) {
      error('missing_table', table.name, `table ${table.name} is missing`);
      continue;
    }
    const liveColumns = live.columns.get(table.name) ?? new Map<string, { type: string; notNull: boolean }>();
    for (const column of table.columns) {
      const liveColumn = liveColumns.get(column.name);
      if (!liveColumn) {
        error(
          'missing_column',
          table.name,
          `column ${table.name}.${column.name} (${column.type}) is missing`,
        );
        continue;
      }
      if (liveColumn.type !== column.type) {
        error(
          'column_type',
          table.name,
          `column ${table.name}.${column.name} is ${liveColumn.type}, expected ${column.type}`,
        );
      }
      if (liveColumn.notNull !== column.notNull) {
        error(
          'column_nullability',
          table.name,
          `column ${table.name}.${column.name} is ${liveColumn.notNull ? 'NOT NULL' : 'nullable'}, expected ${column.notNull ? 'NOT NULL' : 'nullable'}`,
        );
      }
    }
    const expectedColumns = new Set(table.columns.map((column) => column.name));
    for (const name of liveColumns.keys()) {
      if (!expectedColumns.has(name))
        warning('unexpected_column', table.name, `column ${table.name}.${name} is not in the schema`);
    }
    const liveIndexes = live.indexes.get(table.name) ?? new Set<string>();
    for (const index of table.indexes) {
      if (!liveIndexes.has(index))
        error('missing_index', table.name, `index ${index} on ${table.name} is missing`);
    }
    for (const index of liveIndexes) {
      if (!table.indexes.includes(index))
        warning('unexpected_index', table.name, `index ${index} on ${table.name} is not in the schema`);
    }
    const liveChecks = live.checks.get(table.name) ?? new Set<string>();
    for (const check of table.checks) {
      if (!liveChecks.has(check))
        error('missing_check', table.name, `check constraint ${check} on ${table.name} is missing`);
    }
    const liveForeignKeys = live.foreignKeys.get(table.name) ?? new Set<string>();
    for (const foreignKey of table.foreignKeys) {
      if (!liveForeignKeys.has(foreignKey))
        error('missing_foreign_key', table.name, `foreign key ${foreignKey} on ${table.name} is missing`);
    }
    const liveTriggers = live.triggers.get(table.name) ?? new Set<string>();
    for (const trigger of table.triggers) {
      if (!liveTriggers.has(trigger))
        error('missing_trigger', table.name, `trigger ${trigger} on ${table.name} is missing`);
    }
    if (table.rowLevelSecurity) {
      if (!liveTable.rowLevelSecurity || !liveTable.forced) {
        error(
          'missing_row_level_security',
          table.name,
          `row-level security on ${table.name} is ${liveTable.rowLevelSecurity ? 'enabled but not forced' : 'not enabled'}`,
        );
      }
      const policy = `${table.name}_owner`;
      if (!live.policies.get(table.name)?.has(policy))
        error('missing_policy', table.name, `policy ${policy} on ${table.name} is missing`);
    }
  }
  const expectedNames = new Set(expected.map((table) => table.name));
  const otherNames = new Set(expectedCatalog(other).map((table) => table.name));
  for (const name of live.tables.keys()) {
    if (expectedNames.has(name)) continue;
    if (otherNames.has(name)) {
      error('wrong_database', name, `${name} belongs to ${other.name} but exists in ${layout.name}`);
    } else {
      warning('unexpected_table', name, `table ${name} is not in the ${layout.name} schema`);
    }
  }
  return issues;
}

/** Options for verifying one database. */
export interface VerifyDatabaseOptions {
  /** Overrides the layout's migrations folder (tests). */
  migrationsFolder?: string;
}

/** Compares one live database with its Drizzle schema and migrations folder. */
export async function verifyDatabase(
  client: Queryable,
  name: DatabaseName,
  identity: string,
  options: VerifyDatabaseOptions = {},
): Promise<DatabaseSchemaReport> {
  const layout = databaseLayouts[name];
  const other = databaseLayouts[name === 'platform' ? 'userdata' : 'platform'];
  const [live, files] = await Promise.all([
    readLiveCatalog(client),
    readMigrationFiles(options.migrationsFolder ?? layout.migrationsFolder),
  ]);
  const issues = compareTables(layout, other, live);
  if (live.databaseRole && live.databaseRole !== name) {
    issues.unshift({
      kind: 'wrong_database',
      severity: 'error',
      message: `${identity} was migrated as the ${live.databaseRole} database but is configured as ${name}`,
    });
  }
  const applied = live.applied ?? new Map<string, string>();
  const pending: string[] = [];
  for (const file of files) {
    const sha256 = applied.get(file.name);
    if (sha256 === undefined) {
      pending.push(file.name);
      issues.push({
        kind: 'pending_migration',
        severity: 'error',
        message: `migration ${file.name} is not applied`,
      });
    } else if (sha256 !== file.sha256) {
      issues.push({
        kind: 'edited_migration',
        severity: 'error',
        message: `migration ${file.name} was edited after it was applied`,
      });
    }
  }
  const known = new Set(files.map((file) => file.name));
  for (const name of applied.keys()) {
    if (!known.has(name)) {
      issues.push({
        kind: 'unknown_migration',
        severity: 'warning',
        message: `applied migration ${name} is not in this code's migrations folder`,
      });
    }
  }
  return {
    database: name,
    identity,
    reachable: true,
    issues,
    migrations: { applied: applied.size, pending },
  };
}

/** Builds the overall report from per-database reports. */
export function summarizeReports(databases: DatabaseSchemaReport[]): SchemaReport {
  const status = databases.some((database) => !database.reachable)
    ? 'unreachable'
    : databases.some((database) => database.issues.some((issue) => issue.severity === 'error'))
      ? 'drift'
      : 'ok';
  return { status, checkedAt: new Date().toISOString(), databases };
}

/** Human-readable report: one block per database, errors first, then warnings. */
export function formatSchemaReport(report: SchemaReport): string {
  const lines = [`schema verification: ${report.status}`];
  for (const database of report.databases) {
    const errors = database.issues.filter((issue) => issue.severity === 'error');
    const warnings = database.issues.filter((issue) => issue.severity === 'warning');
    const summary = database.reachable
      ? `${errors.length} error(s), ${warnings.length} warning(s), ${database.migrations.applied} migration(s) applied, ${database.migrations.pending.length} pending`
      : 'unreachable';
    lines.push(`${database.database} (${database.identity}): ${summary}`);
    for (const issue of errors) lines.push(`  ERROR   ${issue.message}`);
    for (const issue of warnings) lines.push(`  warning ${issue.message}`);
  }
  return lines.join('\n');
}
