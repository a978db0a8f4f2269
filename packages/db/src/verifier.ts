import { databaseLayouts, type DatabaseLayout, type DatabaseName } from './layout.js';
import { readMigrationFiles } from './migration-files.js';
import { expectedCatalog } from './expected-catalog.js';
import { readLiveCatalog, type LiveCatalog, type Queryable } from './live-catalog.js';
import type { DatabaseSchemaReport, SchemaIssue, SchemaIssueKind } from './schema-report.js';
import {
  compareSemanticCatalog,
  expectedCatalogPath,
  readExpectedSemanticCatalog,
  readSemanticCatalog,
} from './semantic-catalog.js';

// verifyDatabase's report, importable from the verifier itself.
export {
  formatSchemaReport,
  summarizeReports,
  type DatabaseSchemaReport,
  type SchemaIssue,
  type SchemaIssueKind,
  type SchemaReport,
} from './schema-report.js';

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
  const folder = options.migrationsFolder ?? layout.migrationsFolder;
  const [live, semantic, expectedSemantic, files] = await Promise.all([
    readLiveCatalog(client),
    readSemanticCatalog(client),
    readExpectedSemanticCatalog(folder),
    readMigrationFiles(folder),
  ]);
  const issues = compareTables(layout, other, live);
  if (expectedSemantic) {
    issues.push(...compareSemanticCatalog(expectedSemantic, semantic, live.columns));
  } else {
    issues.push({
      kind: 'missing_expected_catalog',
      severity: 'error',
      message: `${expectedCatalogPath(folder)} is missing: run pnpm --filter @switchyard/db db:catalog`,
    });
  }
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
