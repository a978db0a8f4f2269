import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createPlatformDb } from '../client.js';
import { applicationRole } from '../layout.js';
import {
  createTestDatabases,
  dropTestDatabases,
  testApplicationPassword,
  uniqueDatabaseName,
} from './test-databases.js';

/** What an app process did when started as the application role against databases nobody migrated. */
export interface UnmigratedStartup {
  status: number | null;
  stderr: string;
  /** The two databases' names, as its message should name them. */
  names: { platform: string; userdata: string };
  /** Tables in `public` of each database after the process exited (the role must have created none). */
  tables: { platform: number; userdata: number };
}

const serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

function urlOf(database: string, user: string, password?: string): string {
  const url = new URL(serverUrl);
  url.username = user;
  if (password) url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

async function tablesIn(database: string): Promise<number> {
  const owner = createPlatformDb(urlOf(database, 'postgres'), { poolMax: 1 });
  try {
    const { rows } = await owner.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_tables where schemaname = 'public'`,
    );
    return rows[0]!.n;
  } finally {
    await owner.close();
  }
}

/**
 * Starts an app's entry (`node --import tsx <entry>`, with `env` added) logged in as the application role against
 * two databases the owner created but never migrated, waits for it to exit, and drops the databases. The role can
 * log in because another deployment's migrate step on this server let it, as in production.
 */
export async function runUnmigratedStartup(
  entry: string,
  env: Record<string, string>,
): Promise<UnmigratedStartup> {
  const migrated = await createTestDatabases({ poolMax: 1, asApplicationRole: true });
  await migrated.drop();
  const names = { platform: uniqueDatabaseName('platform'), userdata: uniqueDatabaseName('userdata') };
  const admin = createPlatformDb(serverUrl, { poolMax: 1 });
  try {
    for (const name of Object.values(names)) await admin.pool.query(`create database "${name}"`);
  } finally {
    await admin.close();
  }
  try {
    const child = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', entry], {
      env: {
        ...env,
        PLATFORM_DATABASE_URL: urlOf(names.platform, applicationRole, testApplicationPassword),
        USERDATA_DATABASE_URL: urlOf(names.userdata, applicationRole, testApplicationPassword),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [status] = (await once(child, 'exit')) as [number | null];
    return {
      status,
      stderr,
      names,
      tables: { platform: await tablesIn(names.platform), userdata: await tablesIn(names.userdata) },
    };
  } finally {
    await dropTestDatabases(serverUrl, Object.values(names));
  }
}
