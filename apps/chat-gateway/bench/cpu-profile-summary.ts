/**
 * Summarizes a V8 `.cpuprofile` (as `node --cpu-prof` writes it): where the busy (non-idle) time went, as the top
 * frames by self time, self time by file or package, and inclusive time (a frame and everything it called) by
 * frame and by package. Optionally only the samples inside a window of the profile's clock (microseconds of
 * CLOCK_MONOTONIC, the clock of `process.hrtime`), so startup and shutdown do not count.
 *
 * Alone: `tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SummaryOptions {
  /** Rows per table (default 25). */
  top?: number;
  /** Only samples taken at or after `from` and before `to` (profile clock, microseconds). */
  window?: { from: number; to: number };
  /** Paths under it print relative to it. */
  root?: string;
}

/** V8's pseudo-frames that are not JavaScript: `(idle)` is the only one that is not busy time. */
const idle = '(idle)';
/**
 * Left out of the inclusive tables: native frames (no script: `runMicrotasks`, `writev`...) and the event loop's
 * dispatch (`processTicksAndRejections`, timers), which hold nearly every sample and say nothing about where it went.
 */
const dispatch = new Set(['node:internal/process/task_queues', 'node:internal/timers']);
const inclusiveCounts = (frame: CallFrame) => frame.url !== '' && !dispatch.has(frame.url);

/** `fastify/lib/reply.js` from a pnpm store path, `node:internal/...` as is, workspace paths relative to `root`. */
function shortPath(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inStore = /\/node_modules\/\.pnpm\/[^/]+\/node_modules\/(.+)$/.exec(path);
  if (inStore) return inStore[1]!;
  const inModules = /\/node_modules\/(.+)$/.exec(path);
  if (inModules) return inModules[1]!;
  return root && path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
}

/** The package (`ioredis`, `@fastify/error`) of a `node_modules` path; our own files and Node's by file. */
function group(frame: CallFrame, root: string): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native code)';
  const path = frame.url.replace(/^file:\/\//, '');
  const inModules = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return `pkg ${inModules[1]!}`;
  return shortPath(frame.url, root);
}

function frameKey(frame: CallFrame, root: string): string {
  if (!frame.url) return frame.functionName || '(anonymous)';
  return `${frame.functionName || '(anonymous)'} ${shortPath(frame.url, root)}:${frame.lineNumber + 1}`;
}

/** The busy time of the (windowed) profile and its tables, each a list of [key, microseconds]. */
export function analyzeCpuProfile(profile: CpuProfile, options: SummaryOptions = {}) {
  const root = options.root ?? '';
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // A sample's time runs until the next sample (the last one until the profile's end).
  const selfByNode = new Map<number, number>();
  let at = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (at += delta));
  let busy = 0;
  let idleTime = 0;
  for (let index = 0; index < profile.samples.length; index += 1) {
    const time = times[index]!;
    if (options.window && (time < options.window.from || time >= options.window.to)) continue;
    const spent = Math.max(0, (times[index + 1] ?? profile.endTime) - time);
    const id = profile.samples[index]!;
    if (nodes.get(id)?.callFrame.functionName === idle) idleTime += spent;
    else {
      busy += spent;
      selfByNode.set(id, (selfByNode.get(id) ?? 0) + spent);
    }
  }
  const add = (table: Map<string, number>, key: string, spent: number) =>
    table.set(key, (table.get(key) ?? 0) + spent);
  const selfByFrame = new Map<string, number>();
  const selfByGroup = new Map<string, number>();
  const inclusiveByFrame = new Map<string, number>();
  const inclusiveByGroup = new Map<string, number>();
  for (const [id, spent] of selfByNode) {
    const frame = nodes.get(id)!.callFrame;
    add(selfByFrame, frameKey(frame, root), spent);
    add(selfByGroup, group(frame, root), spent);
    // Each frame (and package) on the stack counts once, however often recursion repeats it.
    const frames = new Set<string>();
    const groups = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const ancestor = nodes.get(current)!.callFrame;
      if (!inclusiveCounts(ancestor)) continue;
      frames.add(frameKey(ancestor, root));
      groups.add(group(ancestor, root));
    }
    for (const key of frames) add(inclusiveByFrame, key, spent);
    for (const key of groups) add(inclusiveByGroup, key, spent);
  }
  const sorted = (table: Map<string, number>) => [...table].sort((left, right) => right[1] - left[1]);
  return {
    busy,
    idle: idleTime,
    selfByFrame: sorted(selfByFrame),
    selfByGroup: sorted(selfByGroup),
    inclusiveByFrame: sorted(inclusiveByFrame),
    inclusiveByGroup: sorted(inclusiveByGroup),
  };
}

/** The tables as text, each row a percentage of the busy time. */
export function summarizeCpuProfile(profile: CpuProfile, options: SummaryOptions = {}): string {
  const top = options.top ?? 25;
  const analysis = analyzeCpuProfile(profile, options);
  const percent = (spent: number) =>
    `${((100 * spent) / Math.max(analysis.busy, 1)).toFixed(1).padStart(5)}%`;
  const table = (title: string, rows: Array<[string, number]>) =>
    `\n${title}\n${rows
      .slice(0, top)
      .map(([key, spent]) => `  ${percent(spent)}  ${key}`)
      .join('\n')}\n`;
  const wall = analysis.busy + analysis.idle;
  return (
    `busy ${(analysis.busy / 1000).toFixed(0)} ms of ${(wall / 1000).toFixed(0)} ms sampled (${((100 * analysis.busy) / Math.max(wall, 1)).toFixed(0)}% of one core); percentages are of the busy time\n` +
    table('self time by frame (time spent in the function itself)', analysis.selfByFrame) +
    table(
      'self time by package or file (node_modules by package, our code and Node internals by file)',
      analysis.selfByGroup,
    ) +
    table(
      'inclusive time by frame (the function and everything it called; native and event-loop dispatch frames left out)',
      analysis.inclusiveByFrame,
    ) +
    table('inclusive time by package or file (same)', analysis.inclusiveByGroup)
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(
    summarizeCpuProfile(profile, { top: top ? Number(top) : undefined, root: process.cwd() }),
  );
}
