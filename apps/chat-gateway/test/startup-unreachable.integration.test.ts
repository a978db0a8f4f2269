import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the gateway entry (through tsx, from source) in a clean environment plus `env`. */
async function startGateway(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', entry], {
    env: { PATH: readProcessEnv().PATH ?? '', LOG_LEVEL: 'silent', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stdout, stderr };
}

// Measured: 8-9 s per process on a busy 2-core machine (tsx compiles the sources at start); 60 s leaves room.
const spawnTimeoutMs = 60_000;

describe('gateway startup without its services', () => {
  it(
    'Redis unreachable: exits 69 with one plain line naming Redis, its URL without password, and how to start it',
    async () => {
      const port = await closedPort();
      const result = await startGateway({ REDIS_URL: `redis://default:hunter2-secret@127.0.0.1:${port}` });
      expect(result.status).toBe(69);
      expect(result.stderr).toBe(
        `Redis is not reachable at redis://127.0.0.1:${port}; start it with \`docker-compose up -d postgres redis\` (or the local postgresql and redis-server packages), see README "Two commands".\n`,
      );
      expect(result.stdout).toBe('');
    },
    spawnTimeoutMs,
  );

  it(
    'PostgreSQL unreachable: exits 69 with one plain line naming PostgreSQL and no stack trace',
    async () => {
      const port = await closedPort();
      const result = await startGateway({
        PLATFORM_DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/platform`,
        USERDATA_DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/userdata`,
      });
      expect(result.status).toBe(69);
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^PostgreSQL is not reachable at postgres://127\\.0\\.0\\.1:${port}/platform; start it with`,
          ),
        ),
      ]);
      expect(result.stderr).not.toContain('hunter2');
      expect(result.stdout).toBe('');
    },
    spawnTimeoutMs,
  );
});
