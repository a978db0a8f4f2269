/**
 * Where the gateway's time goes under load (`pnpm bench:profile [--stream] [--top=N]`): the same stack as the
 * benchmark (`stack.ts`: simulators, compiled gateway in production mode on real Postgres and Redis, the Bench user
 * with auth, quota, usage, metrics and logging on), with the gateway under `--cpu-prof`. Warms, drives JSON (or,
 * with `--stream`, streamed) chat completions for BENCH_DURATION_SECONDS at the benchmark's concurrency, stops the
 * gateway with SIGTERM (so the profile is written), and prints the busy time by frame and by package, counting
 * only the samples taken during the measured load (the profile's clock is the one of `process.hrtime`).
 * The profile stays in BENCH_CPU_PROFILE_DIR (default `reports/cpu-profiles`) for a closer look in DevTools.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeCpuProfile, type CpuProfile } from './cpu-profile-summary.js';
import { printRow, write } from './report.js';
import {
  appRoot,
  body,
  connections,
  drive,
  ensureBuilt,
  env,
  repoRoot,
  startStack,
  streamBody,
} from './stack.js';

const { values } = parseArgs({
  options: { stream: { type: 'boolean' }, top: { type: 'string' } },
});
const mode = values.stream ? 'stream' : 'json';
const duration = Number(env.BENCH_DURATION_SECONDS ?? 5);
const warmSeconds = Math.min(2, duration);
const profileDir = env.BENCH_CPU_PROFILE_DIR ?? join(appRoot, 'reports', 'cpu-profiles');
const profileFile = join(
  profileDir,
  `gateway-${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
);
const microseconds = () => Number(process.hrtime.bigint() / 1_000n);

async function main(): Promise<void> {
  ensureBuilt();
  mkdirSync(profileDir, { recursive: true });
  const stack = await startStack({
    gatewayNodeArgs: [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      `--cpu-prof-name=${basename(profileFile)}`,
    ],
  });
  let window: { from: number; to: number };
  try {
    const target = (seconds: number) =>
      drive(stack.gateway.chat, {
        headers: stack.auth,
        body: mode === 'stream' ? streamBody : body,
        duration: seconds,
      });
    write(
      `load average (1, 5, 15 min): ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}\n` +
        `gateway under --cpu-prof, ${mode === 'stream' ? 'streamed' : 'JSON'} chat completions: warmed ${warmSeconds} s, then ${duration} s at ${connections} connections\n`,
    );
    await target(warmSeconds);
    const from = microseconds();
    const row = await target(duration);
    window = { from, to: microseconds() };
    printRow(`gateway ${mode === 'stream' ? 'stream' : 'non-stream'} (profiled)`, [row]);
  } finally {
    // The gateway stops first, on SIGTERM: Node writes the profile as it exits.
    await stack.close();
  }
  if (!existsSync(profileFile)) throw new Error(`no profile at ${profileFile}`);
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const inside = window.from >= profile.startTime && window.to <= profile.endTime;
  write(
    `\nprofile ${relative(appRoot, profileFile)}; ${inside ? 'samples of the measured load only (from starting the load process to its exit)' : 'WARNING: the load window is not on the profile clock, so the whole profile (startup and shutdown included)'}\n`,
  );
  write(
    summarizeCpuProfile(profile, {
      top: values.top ? Number(values.top) : 25,
      window: inside ? window : undefined,
      root: repoRoot,
    }),
  );
}

await main();
