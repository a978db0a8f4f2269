import { databaseIdentity } from '@switchyard/config';
import pg from 'pg';
import type { DatabaseName } from './layout.js';
import { migrationsSchema } from './layout.js';
import { readMigrationFiles, type MigrationFile } from './migration-files.js';

/** Why the migrator refused or failed. */
export type MigrationErrorKind =
  'edited' | 'out_of_order' | 'unknown_applied' | 'statement_failed' | 'same_database' | 'wrong_database';

/** The migrator refused to run or a statement failed; the message says which file, statement and Postgres error. */
export class MigrationError extends Error {
  constructor(
    readonly kind: MigrationErrorKind,
    message: string,
    readonly details: { database?: DatabaseName; migration?: string; statement?: number; code?: string } = {},
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** What one migrator run did to one database. */
export interface MigrationResult {
  database: DatabaseName;
  /** `host:port/name`, never credentials. */
  identity: string;
  /** True when the database did not exist and was created. */
  created: boolean;
  /** Names applied by this run, in order. */
  applied: string[];
  /** Migrations that were already applied before this run. */
  alreadyApplied: number;
}

/** The migration target: which database it is and where its migrations live. */
export interface MigrationTarget {
  name: DatabaseName;
  migrationsFolder: string;
}

// One lock key for every Switchyard migrator; advisory locks are scoped to the database connected to.
const lockSql = `select pg_advisory_lock(hashtextextended('switchyard_migrations', 0))`;
const unlockSql = `select pg_advisory_unlock(hashtextextended('switchyard_migrations', 0))`;

/** Quotes a SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The database name a connection URL points at. */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The same server's maintenance database (`postgres`), used to create and drop databases. */
export function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

function isMissingDatabase(error: unknown): boolean {
  return (error as { code?: string }).code === '3D000';
}

/** Creates the database of `url` unless it exists; safe when several processes race. Returns true if created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    const name = databaseNameOf(url);
    const existing = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (existing.rowCount) return false;
    await client.query(`create database ${quoteIdentifier(name)}`);
    return true;
  } catch (error) {
    // duplicate_database, or unique_violation when two CREATE DATABASE race on the catalog index.
    const code = (error as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw error;
  } finally {
    await client.end();
  }
}

async function connect(url: string): Promise<{ client: pg.Client; created: boolean }> {
  const attempt = async () => {
    const client = new pg.Client({ connectionString: url });
    // A connection the server ends while idle reports through its next query; unheard, it would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  };
  try {
    return { client: await attempt(), created: false };
  } catch (error) {
    if (!isMissingDatabase(error)) throw error;
  }
  const created = await ensureDatabase(url);
  return { client: await attempt(), created };
}

interface AppliedRow {
  name: string;
  sha256: string;
}

function checkHistory(
  database: DatabaseName,
  files: MigrationFile[],
  applied: AppliedRow[],
): MigrationFile[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  let lastAppliedIndex = -1;
  for (const row of applied) {
    const file = byName.get(row.name);
    if (!file) {
      throw new MigrationError(
        'unknown_applied',
        `${database}: migration ${row.name} is applied but not in the migrations folder; this code is older than the database`,
        { database, migration: row.name },
      );
    }
    if (file.sha256 !== row.sha256) {
      throw new MigrationError(
        'edited',
        `${database}: migration ${row.name} was edited after it was applied (sha256 ${row.sha256.slice(0, 12)} applied, ${file.sha256.slice(0, 12)} on disk); add a new migration instead`,
        { database, migration: row.name },
      );
    }
    lastAppliedIndex = Math.max(lastAppliedIndex, file.index);
  }
  const appliedNames = new Set(applied.map((row) => row.name));
  const pending = files.filter((file) => !appliedNames.has(file.name));
  const behind = pending.filter((file) => file.index < lastAppliedIndex);
  if (behind.length > 0) {
    throw new MigrationError(
      'out_of_order',
      `${database}: migration ${behind.map((file) => file.name).join(', ')} is older than already applied migrations and would be skipped; regenerate it after the latest applied one`,
      { database, migration: behind[0]?.name },
    );
  }
  return pending;
}

async function applyMigration(client: pg.Client, database: DatabaseName, file: MigrationFile): Promise<void> {
  const started = performance.now();
  await client.query('begin');
  try {
    for (const [position, statement] of file.statements.entries()) {
      try {
        await client.query(statement);
      } catch (error) {
        const { code, message } = error as { code?: string; message: string };
        const firstLine =
          statement.split('\n').find((line) => line.trim() && !line.trim().startsWith('--')) ?? '';
        throw new MigrationError(
          'statement_failed',
          `${database}: migration ${file.name} failed at statement ${position + 1} of ${file.statements.length} (${firstLine.trim().slice(0, 80)}): ${code ?? 'error'} ${message}`,
          { database, migration: file.name, statement: position + 1, code },
        );
      }
    }
    await client.query(
      `insert into ${migrationsSchema}.applied (name, sha256, duration_ms) values ($1, $2, $3)`,
      [file.name, file.sha256, Math.round(performance.now() - started)],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

/**
 * Migrates one database: creates it if missing, takes the advisory lock, re-reads what is applied, refuses edited,
 * unknown or out-of-order history, then applies each pending migration in its own transaction.
 */
export async function migrateDatabase(url: string, target: MigrationTarget): Promise<MigrationResult> {
  const files = await readMigrationFiles(target.migrationsFolder);
  const { client, created } = await connect(url);
  try {
    // Everything below runs under the lock, so concurrent migrators see each other's work.
    await client.query(lockSql);
    try {
      await client.query(`
        create schema if not exists ${migrationsSchema};
        create table if not exists ${migrationsSchema}.applied (
          name text primary key,
          sha256 text not null,
          applied_at timestamptz not null default now(),
          duration_ms integer not null
        );
        create table if not exists ${migrationsSchema}.database_role (
          only_row boolean primary key default true check (only_row),
          name text not null
        );`);
      const role = await client.query<{ name: string }>(`select name from ${migrationsSchema}.database_role`);
      const recorded = role.rows[0]?.name;
      if (recorded && recorded !== target.name) {
        throw new MigrationError(
          'wrong_database',
          `${target.name}: ${databaseIdentity(url)} is the ${recorded} database; both URLs reach the same database`,
          { database: target.name },
        );
      }
      if (!recorded)
        await client.query(`insert into ${migrationsSchema}.database_role (name) values ($1)`, [target.name]);
      const applied = await client.query<AppliedRow>(`select name, sha256 from ${migrationsSchema}.applied`);
      const pending = checkHistory(target.name, files, applied.rows);
      for (const file of pending) await applyMigration(client, target.name, file);
      return {
        database: target.name,
        identity: databaseIdentity(url),
        created,
        applied: pending.map((file) => file.name),
        alreadyApplied: applied.rows.length,
      };
    } finally {
      await client.query(unlockSql).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
