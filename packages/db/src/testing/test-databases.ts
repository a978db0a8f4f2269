import { createHash, randomBytes } from 'node:crypto';
import type { DatabasesConfig } from '@switchyard/config';
import pg from 'pg';
import {
  applicationLoginUrls,
  createPlatformDb,
  createUserdataDb,
  type PlatformDb,
  type UserdataDb,
} from '../client.js';
import { databaseLayouts, databaseNames, type DatabaseName } from '../layout.js';
import { readMigrationFiles } from '../migration-files.js';
import { maintenanceUrl, migrateDatabase, quoteIdentifier } from '../migrator.js';
import { enableApplicationLogin } from '../prepare.js';

/**
 * Two freshly migrated and seeded test databases with clients (logged in as the owner, or as the application role
 * with `appPassword`); `drop()` closes the clients and drops both.
 */
export interface TestDatabases {
  config: DatabasesConfig;
  platform: PlatformDb;
  userdata: UserdataDb;
  drop(): Promise<void>;
}

/** Options of `createTestDatabases`. */
export interface TestDatabasesOptions {
  /** Server to create the databases on (default `postgres://postgres@127.0.0.1:5432/postgres`). */
  serverUrl?: string;
  /** Pool size of each client (default 5). */
  poolMax?: number;
  /**
   * Log both clients in as the application role with `testApplicationPassword`, as deployed apps do
   * (DATABASE_APP_PASSWORD, set the way the migrate step sets it). Default: the owner login (local development).
   */
  asApplicationRole?: boolean;
}

/**
 * The application role's password in tests. The role is cluster-wide: one fixed password lets tests running side by
 * side set it without locking each other out, even on a server that checks passwords.
 */
export const testApplicationPassword = 'switchyard-app-test';

const defaultServerUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Fingerprint of every migration file: a template is reused only while the migrations are byte-identical. */
async function migrationsFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of databaseNames) {
    for (const file of await readMigrationFiles(databaseLayouts[name].migrationsFolder))
      hash.update(`${name}/${file.name}/${file.sha256}\n`);
  }
  return hash.digest('hex').slice(0, 12);
}

const templates = new Map<string, Promise<Record<DatabaseName, string>>>();

/**
 * Ensures migrated template databases exist on the server, built once for all processes: an advisory lock in
 * the maintenance database serializes builders, and a database is marked IS_TEMPLATE only once it is complete.
 */
async function ensureTemplates(serverUrl: string): Promise<Record<DatabaseName, string>> {
  const fingerprint = await migrationsFingerprint();
  const names = {
    platform: `sy_template_${fingerprint}_platform`,
    userdata: `sy_template_${fingerprint}_userdata`,
  };
  const admin = new pg.Client({ connectionString: maintenanceUrl(serverUrl) });
  await admin.connect();
  try {
    await admin.query(`select pg_advisory_lock(hashtextextended('switchyard_test_templates', 0))`);
    const ready = await admin.query<{ datname: string }>(
      'select datname from pg_database where datistemplate and datname = any($1)',
      [Object.values(names)],
    );
    if (ready.rowCount === databaseNames.length) return names;
    for (const name of databaseNames) {
      // A half-built template from a crashed run is rebuilt from scratch.
      await admin.query(`drop database if exists ${quoteIdentifier(names[name])} with (force)`);
      await admin.query(`create database ${quoteIdentifier(names[name])}`);
      await migrateDatabase(urlFor(serverUrl, names[name]), databaseLayouts[name]);
    }
    for (const name of databaseNames)
      await admin.query(`alter database ${quoteIdentifier(names[name])} is_template true`);
    return names;
  } finally {
    await admin
      .query(`select pg_advisory_unlock(hashtextextended('switchyard_test_templates', 0))`)
      .catch(() => undefined);
    await admin.end();
  }
}

async function cloneDatabase(admin: pg.Client, template: string, name: string): Promise<void> {
  // CREATE DATABASE ... TEMPLATE fails while anyone else is connected to the template; nobody should be, but a
  // concurrent template build briefly is, so retry a few times on that specific error.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await admin.query(`create database ${quoteIdentifier(name)} template ${quoteIdentifier(template)}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * Creates two uniquely named databases (`sy_test_<random>_platform` / `_userdata`) holding every migration and
 * the seed, by cloning per-process-cached template databases, and connects clients to them as the apps do.
 */
export async function createTestDatabases(options: TestDatabasesOptions = {}): Promise<TestDatabases> {
  const serverUrl = options.serverUrl ?? defaultServerUrl;
  let templatePromise = templates.get(serverUrl);
  if (!templatePromise) {
    templatePromise = ensureTemplates(serverUrl);
    templatePromise.catch(() => templates.delete(serverUrl));
    templates.set(serverUrl, templatePromise);
  }
  const templateNames = await templatePromise;
  const prefix = `sy_test_${randomBytes(6).toString('hex')}`;
  const names: Record<DatabaseName, string> = {
    platform: `${prefix}_platform`,
    userdata: `${prefix}_userdata`,
  };
  const admin = new pg.Client({ connectionString: maintenanceUrl(serverUrl) });
  await admin.connect();
  try {
    for (const name of databaseNames) await cloneDatabase(admin, templateNames[name], names[name]);
  } finally {
    await admin.end();
  }
  const platformUrl = urlFor(serverUrl, names.platform);
  const userdataUrl = urlFor(serverUrl, names.userdata);
  const config: DatabasesConfig = {
    platformUrl,
    userdataUrl,
    platformReplicaUrl: undefined,
    owner: { platformUrl, userdataUrl },
    appPassword: options.asApplicationRole ? testApplicationPassword : undefined,
    poolMax: options.poolMax ?? 5,
    timeouts: { connectMs: 2_000, statementMs: 5_000, idleInTransactionMs: 10_000 },
    workerTimeouts: { connectMs: 2_000, statementMs: 60_000, idleInTransactionMs: 10_000 },
  };
  if (config.appPassword !== undefined) await enableApplicationLogin(platformUrl, config.appPassword);
  const logins = applicationLoginUrls(config);
  const platform = createPlatformDb(logins.platformUrl, { poolMax: config.poolMax });
  const userdata = createUserdataDb(logins.userdataUrl, { poolMax: config.poolMax });
  let dropping: Promise<void> | undefined;
  const drop = () =>
    (dropping ??= (async () => {
      await Promise.all([platform.close(), userdata.close()]);
      await dropTestDatabases(serverUrl, Object.values(names));
    })());
  return { config, platform, userdata, drop };
}

/** Drops databases, terminating any connection still open to them. */
export async function dropTestDatabases(serverUrl: string, names: string[]): Promise<void> {
  // One connection per database: the drops wait on server-side backend exits, so run them side by side.
  await Promise.all(
    names.map(async (name) => {
      const admin = new pg.Client({ connectionString: maintenanceUrl(serverUrl) });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
      } finally {
        await admin.end();
      }
    }),
  );
}

/** A unique database name for tests that create databases themselves (e.g. through the migrator). */
export function uniqueDatabaseName(label: string): string {
  return `sy_test_${randomBytes(6).toString('hex')}_${label}`;
}
