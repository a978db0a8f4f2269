import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { applicationRole, createPlatformDb } from '@switchyard/db';
import {
  createTestDatabases,
  dropTestDatabases,
  testApplicationPassword as appPassword,
  uniqueDatabaseName,
} from '@switchyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const names = { platform: uniqueDatabaseName('platform'), userdata: uniqueDatabaseName('userdata') };

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

beforeAll(async () => {
  // The migrate step of some other deployment on this server lets the role log in; ours never ran.
  const migrated = await createTestDatabases({ poolMax: 1, asApplicationRole: true });
  await migrated.drop();
  // Created by the owner (as infra/postgres does for a new server), never migrated.
  const admin = createPlatformDb(serverUrl, { poolMax: 1 });
  try {
    for (const name of Object.values(names)) await admin.pool.query(`create database "${name}"`);
  } finally {
    await admin.close();
  }
});
afterAll(() => dropTestDatabases(serverUrl, Object.values(names)));

// Measured: 8-9 s per process on a busy 2-core machine (tsx compiles the sources at start); 60 s leaves room.
const spawnTimeoutMs = 60_000;

describe('worker started with the application role against unmigrated databases', () => {
  it(
    'exits 1 naming the migrate step, without a stack trace or the password, and changes nothing',
    async () => {
      const child = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', entry], {
        env: {
          PATH: readProcessEnv().PATH ?? '',
          LOG_LEVEL: 'silent',
          WORKER_HEALTH_PORT: '0',
          PLATFORM_DATABASE_URL: urlOf(names.platform, applicationRole, appPassword),
          USERDATA_DATABASE_URL: urlOf(names.userdata, applicationRole, appPassword),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [status] = (await once(child, 'exit')) as [number | null];
      expect(status).toBe(1);
      expect(stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^databases are not migrated: platform \\(localhost:5432/${names.platform}\\): \\d+ migration\\(s\\) pending; ` +
              `userdata \\(localhost:5432/${names.userdata}\\): \\d+ migration\\(s\\) pending\\. .*\`pnpm db:migrate\``,
          ),
        ),
      ]);
      expect(stderr).not.toContain(appPassword);
      expect(await tablesIn(names.platform)).toBe(0);
      expect(await tablesIn(names.userdata)).toBe(0);
    },
    spawnTimeoutMs,
  );
});
