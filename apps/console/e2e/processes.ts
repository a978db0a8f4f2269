import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free loopback port (bound, then released), so each run of the stack gets its own. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One of the stack's app processes (gateway or worker), run from its TypeScript sources. */
export interface AppProcess {
  name: string;
  /** The last lines the process wrote, for a failure message. */
  recentOutput(): string;
  /** Resolves once `url` answers 200; fails if the process exits first or `timeoutMs` passes. */
  waitUntilReady(url: string, timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node --conditions=@switchyard/source --import tsx <entry>` in `cwd` (the app's package, whose
 * node_modules hold tsx) with exactly `env` plus PATH, as the apps' own process tests do: no variable of the
 * developer's shell (a real provider key, another database) reaches the stack. Output goes to `logFile`.
 */
export async function startAppProcess(options: {
  name: string;
  cwd: string;
  entry: string;
  env: Record<string, string>;
  path: string;
  logFile: string;
}): Promise<AppProcess> {
  await mkdir(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@switchyard/source', '--import', 'tsx', options.entry],
    { cwd: options.cwd, env: { PATH: options.path, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail: string[] = [];
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = [...tail, ...chunk.toString().split('\n')].slice(-20);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit').then(() => void log.end());

  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  return {
    name: options.name,
    recentOutput: () => tail.join('\n'),
    async waitUntilReady(url, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (hasExited())
          throw new Error(
            `${options.name} exited (code ${child.exitCode}) before it was ready; its last output:\n${tail.join('\n')}`,
          );
        const ready = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
          (response) => response.ok,
          () => false,
        );
        if (ready) return;
        await sleep(250);
      }
      throw new Error(
        `${options.name} was not ready at ${url} within ${timeoutMs} ms; its last output:\n${tail.join('\n')}`,
      );
    },
    async stop(graceMs = 20_000) {
      if (hasExited()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
