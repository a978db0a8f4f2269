import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationFolderError, readMigrationFiles, splitStatements } from './migration-files.js';

describe('splitStatements', () => {
  it('splits only on drizzle breakpoints, keeping DO blocks, functions and strings with semicolons whole', () => {
    const text = [
      `DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;`,
      `--> statement-breakpoint`,
      `CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ select 'a;b' $$;`,
      `--> statement-breakpoint`,
      `-- only a comment`,
    ].join('\n');
    expect(splitStatements(text)).toEqual([
      `DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;`,
      `CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ select 'a;b' $$;`,
    ]);
  });
});

describe('readMigrationFiles', () => {
  let folder: string | undefined;
  afterEach(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function folderWith(files: Record<string, string>, tags: string[]): Promise<string> {
    folder = await mkdtemp(join(tmpdir(), 'sy-migrations-'));
    await mkdir(join(folder, 'meta'));
    const entries = tags.map((tag, idx) => ({ idx, version: '7', when: idx, tag, breakpoints: true }));
    await writeFile(
      join(folder, 'meta', '_journal.json'),
      JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
    );
    for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
    return folder;
  }

  it('reads files in journal order with a checksum of their exact bytes', async () => {
    const path = await folderWith({ '0000_a.sql': 'select 1;', '0001_b.sql': 'select 2;' }, [
      '0000_a',
      '0001_b',
    ]);
    const files = await readMigrationFiles(path);
    expect(files.map((file) => file.name)).toEqual(['0000_a', '0001_b']);
    expect(files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(files[0]!.sha256).not.toBe(files[1]!.sha256);
  });

  it('refuses a SQL file the journal does not list, which would otherwise be skipped silently', async () => {
    const path = await folderWith({ '0000_a.sql': 'select 1;', '0001_stray.sql': 'select 2;' }, ['0000_a']);
    await expect(readMigrationFiles(path)).rejects.toThrow(MigrationFolderError);
    await expect(readMigrationFiles(path)).rejects.toThrow(/0001_stray\.sql/);
  });
});
