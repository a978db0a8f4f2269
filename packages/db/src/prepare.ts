import { databaseIdentity, type DatabasesConfig } from '@switchyard/config';
import pg from 'pg';
import { logsInAsApplicationRole } from './client.js';
import { applicationRole, databaseLayouts, databaseNames, type DatabaseName } from './layout.js';
import { MigrationError, migrateDatabase, type MigrationResult } from './migrator.js';
import {
  formatSchemaReport,
  summarizeReports,
  type DatabaseSchemaReport,
  type SchemaReport,
} from './schema-report.js';
import { verifyDatabase } from './verifier.js';

/** The live databases differ from the schema; the process must not serve. `format()` gives the human report. */
export class SchemaDriftError extends Error {
  constructor(readonly report: SchemaReport) {
    super(`database schema verification failed (${report.status})\n${formatSchemaReport(report)}`);
    this.name = 'SchemaDriftError';
  }

  /** The human-readable report. */
  format(): string {
    return formatSchemaReport(this.report);
  }
}

/**
 * The apps log in as the application role and the databases are not migrated (missing database, missing or
 * login-less role, pending migrations): the role cannot migrate, so the process must not serve. The message
 * names what to run.
 */
export class DatabasesNotMigratedError extends Error {
  constructor(
    readonly report: SchemaReport,
    /** One line per database that is not ready, e.g. `platform (localhost:5432/platform): 4 migrations pending`. */
    readonly reasons: string[],
  ) {
    super(
      `databases are not migrated: ${reasons.join('; ')}. The apps log in as ${applicationRole}, which cannot ` +
        'migrate: run the migrate step as the owner first, `pnpm db:migrate` with PLATFORM_DATABASE_OWNER_URL, ' +
        'USERDATA_DATABASE_OWNER_URL and DATABASE_APP_PASSWORD set (compose: `docker-compose run --rm migrate`), ' +
        'see README "Secrets and roles"',
    );
    this.name = 'DatabasesNotMigratedError';
  }
}

/** Options of `prepareDatabases` and `verifyDatabases`. */
export interface PrepareOptions {
  /** Overrides each database's migrations folder (tests). */
  migrationsFolders?: Partial<Record<DatabaseName, string>>;
}

/** The result of `prepareDatabases`: the verification report plus what each migrator did. */
export interface PreparedReport extends SchemaReport {
  migrations: MigrationResult[];
}

function urlsOf(config: Pick<DatabasesConfig, 'platformUrl' | 'userdataUrl'>): Record<DatabaseName, string> {
  return { platform: config.platformUrl, userdata: config.userdataUrl };
}

/** Refuses two URLs that name the same database (the config schema refuses it too; the migrator never trusts that). */
export function assertSeparateDatabases(config: Pick<DatabasesConfig, 'platformUrl' | 'userdataUrl'>): void {
  const identity = databaseIdentity(config.userdataUrl);
  if (databaseIdentity(config.platformUrl) === identity) {
    throw new MigrationError(
      'same_database',
      `PLATFORM_DATABASE_URL and USERDATA_DATABASE_URL both name ${identity}; each table belongs to exactly one of two separate databases`,
    );
  }
}

async function verifyOne(
  url: string,
  name: DatabaseName,
  options: PrepareOptions,
): Promise<DatabaseSchemaReport> {
  const identity = databaseIdentity(url);
  const client = new pg.Client({ connectionString: url });
  // A connection the server ends while idle reports through its next query; unheard, it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const { code, message } = error as { code?: string; message: string };
    return {
      database: name,
      identity,
      reachable: false,
      issues: [
        {
          kind: 'unreachable',
          severity: 'error',
          message: `cannot connect: ${code ? `${code} ` : ''}${message}`,
          ...(code ? { code } : {}),
        },
      ],
      migrations: { applied: 0, pending: [] },
    };
  }
  try {
    return await verifyDatabase(client, name, identity, {
      migrationsFolder: options.migrationsFolders?.[name],
    });
  } finally {
    await client.end();
  }
}

/** Verifies both databases against the schema and migrations; never throws for drift (for `/ready` and `db:verify`). */
export async function verifyDatabases(
  config: Pick<DatabasesConfig, 'platformUrl' | 'userdataUrl'>,
  options: PrepareOptions = {},
): Promise<SchemaReport> {
  assertSeparateDatabases(config);
  const urls = urlsOf(config);
  return summarizeReports(
    await Promise.all(databaseNames.map((name) => verifyOne(urls[name], name, options))),
  );
}

/**
 * Lets the application role log in with `password` (`DATABASE_APP_PASSWORD`), run as the owner after the
 * migrations created the role. ALTER ROLE takes no parameters, so Postgres quotes the password itself (%L).
 */
export async function enableApplicationLogin(ownerUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ statement: string }>(
      `select format('alter role %I with login password %L', $1::text, $2::text) as statement`,
      [applicationRole, password],
    );
    await client.query(rows[0]!.statement);
  } finally {
    await client.end();
  }
}

/**
 * Startup step of every process: create missing databases, migrate both (advisory-locked), then verify.
 * Throws `MigrationError` when a migration is refused or fails, `SchemaDriftError` when the result still drifts.
 */
export async function prepareDatabases(
  config: Pick<DatabasesConfig, 'platformUrl' | 'userdataUrl'> & { appPassword?: string | undefined },
  options: PrepareOptions = {},
): Promise<PreparedReport> {
  assertSeparateDatabases(config);
  const urls = urlsOf(config);
  // Settled, not raced: when one database's migration is refused, the other's still finishes (and closes its
  // connection) before this returns, so nothing of it outlives the call.
  const settled = await Promise.allSettled(
    databaseNames.map((name) =>
      migrateDatabase(urls[name], {
        name,
        migrationsFolder: options.migrationsFolders?.[name] ?? databaseLayouts[name].migrationsFolder,
      }),
    ),
  );
  const refused = settled.find((result) => result.status === 'rejected');
  if (refused) throw refused.reason;
  const migrations = settled.map((result) => (result as PromiseFulfilledResult<MigrationResult>).value);
  if (config.appPassword !== undefined) await enableApplicationLogin(urls.userdata, config.appPassword);
  const report = await verifyDatabases(config, options);
  if (report.status !== 'ok') throw new SchemaDriftError(report);
  return { ...report, migrations };
}

// Connection refusals that mean the migrate step has not run: no such database (3D000), no such role or the role
// may not log in (28000), or its password was never set to this one (28P01).
const notMigratedConnectCodes = new Set(['3D000', '28000', '28P01']);

function notMigratedReasons(report: SchemaReport): string[] {
  const reasons: string[] = [];
  for (const database of report.databases) {
    const where = `${database.database} (${database.identity})`;
    const refusal = database.issues.find(
      (issue) => issue.kind === 'unreachable' && issue.code && notMigratedConnectCodes.has(issue.code),
    );
    if (refusal) reasons.push(`${where}: ${refusal.message}`);
    else if (database.reachable && database.migrations.pending.length > 0)
      reasons.push(`${where}: ${database.migrations.pending.length} migration(s) pending`);
  }
  return reasons;
}

/** What `prepareForServing` did: migrated (owner login) or only verified (application role login). */
export type ServingPreparation =
  { mode: 'migrated'; report: PreparedReport } | { mode: 'verified'; report: SchemaReport };

/**
 * Startup step of gateway and worker. A process whose URLs log in as the application role only verifies: the role
 * has no DDL, so it throws `DatabasesNotMigratedError` (naming what to run) when the migrate step has not run, and
 * `SchemaDriftError` on any other drift. A process given owner logins (local development) migrates first, as
 * `prepareDatabases` does.
 */
export async function prepareForServing(
  config: Pick<DatabasesConfig, 'platformUrl' | 'userdataUrl'> & { appPassword?: string | undefined },
  options: PrepareOptions = {},
): Promise<ServingPreparation> {
  if (!logsInAsApplicationRole(config.platformUrl) && !logsInAsApplicationRole(config.userdataUrl))
    return { mode: 'migrated', report: await prepareDatabases(config, options) };
  const report = await verifyDatabases(config, options);
  if (report.status === 'ok') return { mode: 'verified', report };
  const reasons = notMigratedReasons(report);
  if (reasons.length > 0) throw new DatabasesNotMigratedError(report, reasons);
  throw new SchemaDriftError(report);
}
