import { fileURLToPath } from 'node:url';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as platformSchema from './platform/index.js';
import * as userdataSchema from './userdata/index.js';

/** The two databases; every table lives in exactly one of them. */
export const databaseNames = ['platform', 'userdata'] as const;
/** `platform` or `userdata`. */
export type DatabaseName = (typeof databaseNames)[number];

/** The non-superuser role (no BYPASSRLS, no DDL) the apps log in as, so row-level security applies to them. */
export const applicationRole = 'switchyard_app';

/** Schema (namespace) holding our migrations table in each database. */
export const migrationsSchema = 'switchyard_migrations';

/** What one database must contain, derived from the Drizzle schema modules. */
export interface DatabaseLayout {
  name: DatabaseName;
  tables: PgTable[];
  migrationsFolder: string;
  /** Tables with row-level security enabled and forced, and one `<table>_owner` policy. */
  rowLevelSecurityTables: string[];
}

function tablesOf(schema: Record<string, unknown>): PgTable[] {
  return Object.values(schema).filter((value): value is PgTable => is(value, PgTable));
}

const platformTables = tablesOf(platformSchema);
const userdataTables = tablesOf(userdataSchema);

/** Layout of each database. Migrations folders sit beside `src/` and `dist/`, so the path works from both. */
export const databaseLayouts: Record<DatabaseName, DatabaseLayout> = {
  platform: {
    name: 'platform',
    tables: platformTables,
    migrationsFolder: fileURLToPath(new URL('../migrations/platform/', import.meta.url)),
    rowLevelSecurityTables: [],
  },
  userdata: {
    name: 'userdata',
    tables: userdataTables,
    migrationsFolder: fileURLToPath(new URL('../migrations/userdata/', import.meta.url)),
    rowLevelSecurityTables: userdataTables.map((table) => getTableConfig(table).name),
  },
};
