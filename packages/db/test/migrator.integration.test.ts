import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseLayouts, databaseNames } from '../src/layout.js';
import { readMigrationFiles } from '../src/migration-files.js';
import { MigrationError, migrateDatabase } from '../src/migrator.js';
import { prepareDatabases } from '../src/prepare.js';
import { copyMigrations, freshDatabasePair, superuserQuery } from './helper.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function track<T extends { drop?: () => Promise<void>; remove?: () => Promise<void> }>(resource: T): T {
  const cleanup = resource.drop ?? resource.remove;
  if (cleanup) cleanups.push(cleanup);
  return resource;
}

async function allMigrationNames() {
  return {
    platform: (await readMigrationFiles(databaseLayouts.platform.migrationsFolder)).map((file) => file.name),
    userdata: (await readMigrationFiles(databaseLayouts.userdata.migrationsFolder)).map((file) => file.name),
  };
}

async function appliedNames(url: string): Promise<string[]> {
  const rows = await superuserQuery<{ name: string }>(
    url,
    'select name from switchyard_migrations.applied order by name',
  );
  return rows.map((row) => row.name);
}

describe('migrator', () => {
  it('creates and migrates both databases from nothing, and a second run applies nothing', async () => {
    const pair = track(freshDatabasePair());
    const expected = await allMigrationNames();

    const first = await prepareDatabases(pair.config);
    expect(first.status).toBe('ok');
    expect(first.migrations.map((result) => [result.database, result.created, result.applied])).toEqual([
      ['platform', true, expected.platform],
      ['userdata', true, expected.userdata],
    ]);

    const second = await prepareDatabases(pair.config);
    expect(
      second.migrations.map((result) => [result.created, result.applied, result.alreadyApplied]),
    ).toEqual([
      [false, [], expected.platform.length],
      [false, [], expected.userdata.length],
    ]);
    expect(await appliedNames(pair.config.platformUrl)).toEqual(expected.platform);
  });

  it('lets 8 concurrent migrators apply each migration exactly once, without errors', async () => {
    const pair = track(freshDatabasePair());
    const expected = await allMigrationNames();

    const results = await Promise.all(Array.from({ length: 8 }, () => prepareDatabases(pair.config)));

    for (const name of databaseNames) {
      const appliedByRuns = results.flatMap(
        (result) => result.migrations.find((migration) => migration.database === name)!.applied,
      );
      expect(appliedByRuns.sort()).toEqual(expected[name]);
      expect(
        await appliedNames(name === 'platform' ? pair.config.platformUrl : pair.config.userdataUrl),
      ).toEqual(expected[name]);
    }
    expect(results.every((result) => result.status === 'ok')).toBe(true);
  });

  it('refuses a migration that was edited after it was applied, naming it', async () => {
    const pair = track(freshDatabasePair());
    const copy = track(await copyMigrations());
    await prepareDatabases(pair.config, { migrationsFolders: copy.folders });

    const file = join(copy.folders.platform, '0001_updated_at_triggers.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- a harmless-looking edit\n`);

    const refusal = prepareDatabases(pair.config, { migrationsFolders: copy.folders });
    await expect(refusal).rejects.toThrow(MigrationError);
    await expect(refusal).rejects.toThrow(
      /platform: migration 0001_updated_at_triggers was edited after it was applied/,
    );
  });

  it('refuses an older migration that appears behind newer applied ones', async () => {
    const pair = track(freshDatabasePair());
    const copy = track(await copyMigrations());
    const journalPath = join(copy.folders.platform, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const withoutTriggers = {
      ...journal,
      entries: journal.entries.filter((entry) => entry.tag !== '0001_updated_at_triggers'),
    };
    const triggersFile = join(copy.folders.platform, '0001_updated_at_triggers.sql');
    const triggersSql = await readFile(triggersFile, 'utf8');
    await writeFile(journalPath, JSON.stringify(withoutTriggers));
    await rm(triggersFile);
    await migrateDatabase(pair.config.platformUrl, {
      name: 'platform',
      migrationsFolder: copy.folders.platform,
    });

    // A branch merged late: its older migration shows up behind ones already applied.
    await writeFile(journalPath, JSON.stringify(journal));
    await writeFile(triggersFile, triggersSql);
    await expect(
      migrateDatabase(pair.config.platformUrl, { name: 'platform', migrationsFolder: copy.folders.platform }),
    ).rejects.toMatchObject({ kind: 'out_of_order', details: { migration: '0001_updated_at_triggers' } });
  });

  it('reports the failing statement with its Postgres code and rolls the whole migration back', async () => {
    const pair = track(freshDatabasePair());
    const copy = track(await copyMigrations());
    const folder = copy.folders.userdata;
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
      entries: { idx: number; tag: string }[];
    };
    journal.entries.push({ idx: journal.entries.length, tag: '9999_broken' });
    await writeFile(journalPath, JSON.stringify(journal));
    await writeFile(
      join(folder, '9999_broken.sql'),
      [
        `CREATE TABLE scratch (note text);`,
        `DO $$ BEGIN PERFORM 1; INSERT INTO scratch VALUES ('a;b'); END $$;`,
        `CREATE TABLE conversations (id int);`,
      ].join('\n--> statement-breakpoint\n'),
    );

    const failure = migrateDatabase(pair.config.userdataUrl, { name: 'userdata', migrationsFolder: folder });
    await expect(failure).rejects.toMatchObject({
      kind: 'statement_failed',
      details: { migration: '9999_broken', statement: 3, code: '42P07' },
    });
    await expect(failure).rejects.toThrow(
      /9999_broken failed at statement 3 of 3 \(CREATE TABLE conversations.*42P07 relation "conversations" already exists/,
    );
    expect(await superuserQuery(pair.config.userdataUrl, `select to_regclass('scratch') as scratch`)).toEqual(
      [{ scratch: null }],
    );
    expect(await appliedNames(pair.config.userdataUrl)).not.toContain('9999_broken');
  });

  it('refuses two URLs naming the same database, even when spelled differently', async () => {
    const pair = track(freshDatabasePair());
    const sameDatabase = {
      platformUrl: pair.config.platformUrl,
      userdataUrl: pair.config.platformUrl.replace('127.0.0.1', 'localhost'),
    };
    await expect(prepareDatabases(sameDatabase)).rejects.toMatchObject({ kind: 'same_database' });
    expect(
      await superuserQuery(
        pair.config.platformUrl.replace(/\/[^/]+$/, '/postgres'),
        'select 1 from pg_database where datname = $1',
        [pair.names.platform],
      ),
    ).toEqual([]);
  });

  it('refuses to migrate the platform database as userdata when an alias slipped past the URL check', async () => {
    const pair = track(freshDatabasePair());
    await migrateDatabase(pair.config.platformUrl, databaseLayouts.platform);
    await expect(migrateDatabase(pair.config.platformUrl, databaseLayouts.userdata)).rejects.toThrow(
      /userdata: .* is the platform database; both URLs reach the same database/,
    );
  });
});
