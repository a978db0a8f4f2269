import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '@switchyard/config';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Measured: 8-9 s per process on a busy 2-core machine (tsx compiles the sources at start); 60 s leaves room.
const spawnTimeoutMs = 60_000;

describe('worker startup without its services', () => {
  it(
    'Redis unreachable: exits 69 with one plain line naming Redis, its URL without password, and how to start it',
    async () => {
      const port = await closedPort();
      const child = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', entry], {
        env: {
          PATH: readProcessEnv().PATH ?? '',
          LOG_LEVEL: 'silent',
          WORKER_HEALTH_PORT: '0',
          REDIS_URL: `redis://default:hunter2-secret@127.0.0.1:${port}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [status] = (await once(child, 'exit')) as [number | null];
      expect(status).toBe(69);
      expect(stderr).toBe(
        `Redis is not reachable at redis://127.0.0.1:${port}; start it with \`docker-compose up -d postgres redis\` (or the local postgresql and redis-server packages), see README "Two commands".\n`,
      );
    },
    spawnTimeoutMs,
  );
});
