import type { DatabaseName } from './layout.js';

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
  | 'policy_changed'
  | 'unexpected_policy'
  | 'column_default'
  | 'check_changed'
  | 'missing_expected_catalog'
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
  /** PostgreSQL's or the socket's error code, for `unreachable` (e.g. `3D000` no such database). */
  code?: string;
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
