import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { runUnmigratedStartup, testApplicationPassword } from '@switchyard/db/testing';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

// Measured: 8-9 s per process on a busy 2-core machine (tsx compiles the sources at start); 60 s leaves room.
const spawnTimeoutMs = 60_000;

describe('worker started with the application role against unmigrated databases', () => {
  it(
    'exits 1 naming the migrate step, without a stack trace or the password, and changes nothing',
    async () => {
      const started = await runUnmigratedStartup(entry, {
        PATH: readProcessEnv().PATH ?? '',
        LOG_LEVEL: 'silent',
        WORKER_HEALTH_PORT: '0',
      });
      expect(started.status).toBe(1);
      expect(started.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^databases are not migrated: platform \\(localhost:5432/${started.names.platform}\\): \\d+ migration\\(s\\) pending; ` +
              `userdata \\(localhost:5432/${started.names.userdata}\\): \\d+ migration\\(s\\) pending\\. .*\`pnpm db:migrate\``,
          ),
        ),
      ]);
      expect(started.stderr).not.toContain(testApplicationPassword);
      expect(started.tables).toEqual({ platform: 0, userdata: 0 });
    },
    spawnTimeoutMs,
  );
});
