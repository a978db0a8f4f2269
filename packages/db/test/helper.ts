import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { databaseLayouts, type DatabaseName } from '../src/layout.js';
import { dropTestDatabases, uniqueDatabaseName } from '../src/testing/index.js';

export const serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlOf(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Two unique database names that do not exist yet (the migrator creates them), and their cleanup. */
export function freshDatabasePair() {
  const names = { platform: uniqueDatabaseName('platform'), userdata: uniqueDatabaseName('userdata') };
  return {
    names,
    config: { platformUrl: urlOf(names.platform), userdataUrl: urlOf(names.userdata) },
    drop: () => dropTestDatabases(serverUrl, Object.values(names)),
  };
}

/** A private copy of both migrations folders that a test may edit. */
export async function copyMigrations(): Promise<{
  folders: Record<DatabaseName, string>;
  remove(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'sy-db-migrations-'));
  const folders = { platform: join(root, 'platform'), userdata: join(root, 'userdata') };
  await cp(databaseLayouts.platform.migrationsFolder, folders.platform, { recursive: true });
  await cp(databaseLayouts.userdata.migrationsFolder, folders.userdata, { recursive: true });
  return { folders, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Runs SQL as the superuser on one database (to break a schema on purpose or to inspect it). */
export async function superuserQuery<Row extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}
