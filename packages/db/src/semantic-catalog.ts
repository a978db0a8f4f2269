import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { Queryable } from './live-catalog.js';
import type { SchemaIssue } from './schema-report.js';

/*
 * What the migrations *mean*, beyond object names: row-level-security policy expressions, column defaults and
 * check-constraint bodies. Comparing these with the Drizzle source text would flag harmless formatting
 * differences (Postgres rewrites `user_id = x` as `(user_id = x)`, adds casts, ...), so both sides are
 * deparsed by Postgres itself (`pg_policies` uses pg_get_expr, plus pg_get_expr on pg_attrdef and
 * pg_get_constraintdef). The expected side is a snapshot committed beside each migrations folder
 * (`expected-catalog.json`), written by `pnpm --filter @switchyard/db db:catalog`, which migrates scratch
 * databases and reads them back. We chose a committed snapshot over migrating a scratch database at every
 * verification: the apps' role may not create databases, startup stays one catalog round trip, and the
 * expected form is reviewable in a diff. A test fails when the snapshot no longer matches fresh migrations.
 */

/** One row-level-security policy as pg_policies deparses it. */
export interface PolicyDefinition {
  command: string;
  permissive: string;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

/** Keys are `table.policy`, `table.column` and `table.constraint`. */
export interface SemanticCatalog {
  policies: Record<string, PolicyDefinition>;
  defaults: Record<string, string>;
  checks: Record<string, string>;
}

/** The committed snapshot: the catalog plus the Postgres major version that deparsed it. */
export interface ExpectedSemanticCatalog extends SemanticCatalog {
  postgresMajor: number;
}

const semanticSql = `
select tablename as table_name, policyname as name, cmd as command, permissive, roles::text[] as roles,
       qual as using, with_check
  from pg_policies where schemaname = 'public';
select c.relname as table_name, a.attname as name, pg_get_expr(d.adbin, d.adrelid) as definition
  from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
  join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p') and not a.attisdropped;
select c.relname as table_name, con.conname as name, pg_get_constraintdef(con.oid, true) as definition
  from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and con.contype = 'c';
select current_setting('server_version_num')::int / 10000 as major;`;

type Row = Record<string, unknown>;

function sorted<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

/** Reads policies, defaults and check bodies of the public schema, deparsed by Postgres. */
export async function readSemanticCatalog(client: Queryable): Promise<ExpectedSemanticCatalog> {
  const results = (await client.query(semanticSql)) as unknown as pg.QueryResult<Row>[];
  const [policies, defaults, checks, version] = results.map((result) => result.rows) as [
    Row[],
    Row[],
    Row[],
    Row[],
  ];
  const key = (row: Row) => `${String(row.table_name)}.${String(row.name)}`;
  return {
    postgresMajor: Number(version[0]?.major),
    policies: sorted(
      policies.map((row) => [
        key(row),
        {
          command: String(row.command),
          permissive: String(row.permissive),
          roles: [...(row.roles as string[])].sort(),
          using: (row.using as string | null) ?? null,
          withCheck: (row.with_check as string | null) ?? null,
        },
      ]),
    ),
    defaults: sorted(defaults.map((row) => [key(row), String(row.definition)])),
    checks: sorted(checks.map((row) => [key(row), String(row.definition)])),
  };
}

/** Path of the snapshot beside a migrations folder. */
export function expectedCatalogPath(migrationsFolder: string): string {
  return join(migrationsFolder, 'expected-catalog.json');
}

/** Reads the committed snapshot; undefined when the folder has none. */
export async function readExpectedSemanticCatalog(
  migrationsFolder: string,
): Promise<ExpectedSemanticCatalog | undefined> {
  const text = await readFile(expectedCatalogPath(migrationsFolder), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as ExpectedSemanticCatalog);
}

/** Writes the snapshot (pretty, sorted keys, trailing newline) for review in diffs. */
export async function writeExpectedSemanticCatalog(
  migrationsFolder: string,
  catalog: ExpectedSemanticCatalog,
): Promise<void> {
  await writeFile(expectedCatalogPath(migrationsFolder), `${JSON.stringify(catalog, null, 2)}\n`);
}

function describePolicy(policy: PolicyDefinition): string {
  const parts = [`${policy.permissive.toLowerCase()} for ${policy.command} to ${policy.roles.join(', ')}`];
  parts.push(`using ${policy.using ?? '(none)'}`, `with check ${policy.withCheck ?? '(none)'}`);
  return parts.join(' ');
}

const samePolicy = (left: PolicyDefinition, right: PolicyDefinition) =>
  describePolicy(left) === describePolicy(right);

const split = (key: string) => {
  const dot = key.indexOf('.');
  return { table: key.slice(0, dot), name: key.slice(dot + 1) };
};

/**
 * Compares live policies, defaults and check bodies with the snapshot. Objects missing altogether are the
 * name-level checks' business (missing_policy, missing_check, missing_column), so they are skipped here;
 * an extra policy is an error (permissive policies are OR-ed, so any extra one can widen access) and so is
 * an extra default. Extra check constraints only narrow what is accepted and are left to the name checks.
 */
export function compareSemanticCatalog(
  expected: ExpectedSemanticCatalog,
  live: ExpectedSemanticCatalog,
  liveColumns: Map<string, Map<string, unknown>>,
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const [key, policy] of Object.entries(expected.policies)) {
    const actual = live.policies[key];
    if (!actual || samePolicy(actual, policy)) continue;
    const { table, name } = split(key);
    issues.push({
      kind: 'policy_changed',
      severity: 'error',
      table,
      message: `policy ${name} on ${table} is ${describePolicy(actual)}, expected ${describePolicy(policy)}`,
    });
  }
  for (const [key, policy] of Object.entries(live.policies)) {
    if (expected.policies[key]) continue;
    const { table, name } = split(key);
    issues.push({
      kind: 'unexpected_policy',
      severity: 'error',
      table,
      message: `policy ${name} on ${table} is not created by the migrations (${describePolicy(policy)})`,
    });
  }
  for (const key of new Set([...Object.keys(expected.defaults), ...Object.keys(live.defaults)])) {
    const { table, name } = split(key);
    if (!liveColumns.get(table)?.has(name)) continue;
    const want = expected.defaults[key];
    const have = live.defaults[key];
    if (want === have) continue;
    issues.push({
      kind: 'column_default',
      severity: 'error',
      table,
      message: `column ${table}.${name} defaults to ${have ?? '(no default)'}, expected ${want ?? '(no default)'}`,
    });
  }
  for (const [key, definition] of Object.entries(expected.checks)) {
    const actual = live.checks[key];
    if (actual === undefined || actual === definition) continue;
    const { table, name } = split(key);
    issues.push({
      kind: 'check_changed',
      severity: 'error',
      table,
      message: `check constraint ${name} on ${table} is ${actual}, expected ${definition}`,
    });
  }
  return issues;
}
