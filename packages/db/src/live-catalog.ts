import type pg from 'pg';
import { normalizeType } from './column-type.js';
import { migrationsSchema } from './layout.js';

/** The public schema of a live database, grouped by table name, plus the migrator's bookkeeping. */
export interface LiveCatalog {
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

/** Anything that runs a query: a pool or a client. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

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

/** Reads the live catalog, and the applied migrations and database role when the migrator has recorded them. */
export async function readLiveCatalog(client: Queryable): Promise<LiveCatalog> {
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
