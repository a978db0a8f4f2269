import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One migration file of a database, in journal order. */
export interface MigrationFile {
  /** Position in the journal (0-based); applied strictly in this order. */
  index: number;
  /** The journal tag, e.g. `0001_updated_at_triggers`; recorded as the applied name. */
  name: string;
  /** sha256 hex of the file's exact bytes; an applied migration whose file changes is refused. */
  sha256: string;
  /** Statements split only on drizzle's `--> statement-breakpoint`, so `DO $$ ... $$` bodies stay whole. */
  statements: string[];
}

/** A problem with the migrations folder itself (journal and files disagree). */
export class MigrationFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationFolderError';
  }
}

interface JournalEntry {
  idx: number;
  tag: string;
  breakpoints?: boolean;
}

function parseJournal(text: string): JournalEntry[] {
  const journal = JSON.parse(text) as { entries?: unknown };
  if (!Array.isArray(journal.entries))
    throw new MigrationFolderError('migrations journal has no entries list');
  return journal.entries.map((entry: Partial<JournalEntry>) => {
    if (typeof entry.idx !== 'number' || typeof entry.tag !== 'string' || entry.tag === '') {
      throw new MigrationFolderError('migrations journal has an entry without idx and tag');
    }
    return { idx: entry.idx, tag: entry.tag, breakpoints: entry.breakpoints };
  });
}

const breakpoint = '--> statement-breakpoint';

/** Splits a migration into statements on drizzle's breakpoint marker only (never on `;`). */
export function splitStatements(sqlText: string, breakpoints = true): string[] {
  const parts = breakpoints ? sqlText.split(breakpoint) : [sqlText];
  return parts.map((part) => part.trim()).filter((part) => part.replace(/^\s*--.*$/gm, '').trim().length > 0);
}

/** Reads a drizzle-kit migrations folder: the journal's entries, their files, checksums and statements. */
export async function readMigrationFiles(folder: string): Promise<MigrationFile[]> {
  let journalText: string;
  try {
    journalText = await readFile(join(folder, 'meta', '_journal.json'), 'utf8');
  } catch {
    throw new MigrationFolderError(`no migrations journal at ${join(folder, 'meta', '_journal.json')}`);
  }
  const entries = parseJournal(journalText).sort((left, right) => left.idx - right.idx);
  const listed = new Set(entries.map((entry) => `${entry.tag}.sql`));
  const unlisted = (await readdir(folder)).filter((file) => file.endsWith('.sql') && !listed.has(file));
  if (unlisted.length > 0) {
    // A file drizzle-kit did not journal would be silently skipped by order-based runners.
    throw new MigrationFolderError(`migration files not in the journal: ${unlisted.join(', ')}`);
  }
  return Promise.all(
    entries.map(async (entry, position) => {
      const bytes = await readFile(join(folder, `${entry.tag}.sql`)).catch(() => {
        throw new MigrationFolderError(`journal lists ${entry.tag} but ${entry.tag}.sql is missing`);
      });
      return {
        index: position,
        name: entry.tag,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        statements: splitStatements(bytes.toString('utf8'), entry.breakpoints ?? true),
      };
    }),
  );
}
