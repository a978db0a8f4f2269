/**
 * CPU time per process group from /proc (Linux), so the bench can say who spent the machine's two cores:
 * the worker processes, the simulators, Postgres backends of the bench's own database, Redis, and everyone else
 * (other engineers' test runs share the machine).
 */
import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: 100 on every mainstream Linux build; /proc reports process times in these ticks.
const ticksPerSecond = 100;

/** CPU ticks of every process of each group at one moment; `machine` holds all busy time of all cores. */
export type CpuSample = Record<string, Map<string, number>>;

function processTicks(pid: string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function machineBusyTicks(): number {
  const [cpuLine = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
  const values = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return values.slice(0, 8).reduce((sum, value) => sum + value, 0) - idle;
}

/** Samples CPU time: `groups` maps a label to the pids it covers; Postgres backends are matched by database name. */
export function sampleCpu(groups: Record<string, number[]>, databaseName: string): CpuSample {
  const sample: CpuSample = {
    machine: new Map([['all', machineBusyTicks()]]),
    postgres: new Map(),
    redis: new Map(),
  };
  for (const [label, pids] of Object.entries(groups))
    sample[label] = new Map(pids.map((pid) => [String(pid), processTicks(String(pid))]));
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const command = commandLine(pid);
    if (command.startsWith('postgres:') && command.includes(` ${databaseName} `))
      sample.postgres?.set(pid, processTicks(pid));
    else if (command.startsWith('redis-server')) sample.redis?.set(pid, processTicks(pid));
  }
  return sample;
}

/**
 * CPU milliseconds spent per group between two samples. A process seen only at the end counts from zero;
 * one that exited in between is left out (its last ticks are unknown).
 */
export function cpuSpent(before: CpuSample, after: CpuSample): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([label, processes]) => {
      let ticks = 0;
      for (const [pid, end] of processes) ticks += Math.max(0, end - (before[label]?.get(pid) ?? 0));
      return [label, ticks * (1_000 / ticksPerSecond)];
    }),
  );
}
