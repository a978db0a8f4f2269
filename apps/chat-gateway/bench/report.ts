/** How the benchmark prints: rows as medians over rounds with their spread, ratios with their target. */
import type { Row } from './stack.js';

export const write = (text: string) => process.stdout.write(text);

export const median = (values: number[]) =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? Number.NaN;

const spread = (values: number[], digits = 0) =>
  values.length > 1 ? `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}` : '';

/** The median row over rounds: throughput, p50 and p99 each a median; errors summed. */
export function summarize(rows: Row[]): Row {
  return {
    requestsPerSecond: median(rows.map((row) => row.requestsPerSecond)),
    p50: median(rows.map((row) => row.p50)),
    p99: median(rows.map((row) => row.p99)),
    errors: rows.reduce((total, row) => total + row.errors, 0),
  };
}

/** One throughput row: medians over its rounds, and the min–max of its throughput over them. */
export function printRow(name: string, rows: Row[]): void {
  const row = summarize(rows);
  const range = spread(rows.map((each) => each.requestsPerSecond));
  write(
    `${name.padEnd(46)} ${row.requestsPerSecond.toFixed(0).padStart(7)} req/s ${(range ? `(${range})` : '').padEnd(13)}  p50 ${row.p50.toFixed(1).padStart(6)} ms  p99 ${row.p99.toFixed(1).padStart(6)} ms  errors ${row.errors}\n`,
  );
}

/** A target: `at most` or `at least` `bound` (`< 200` etc. print as `target <op> bound`). */
export type Target = { op: '>=' | '<=' | '<'; bound: number } | 'information';

export function meets(value: number, target: Target): boolean | undefined {
  if (target === 'information' || Number.isNaN(value)) return undefined;
  if (target.op === '>=') return value >= target.bound;
  if (target.op === '<=') return value <= target.bound;
  return value < target.bound;
}

export function targetText(value: number, target: Target): string {
  if (target === 'information') return 'information';
  const met = meets(value, target);
  return `target ${target.op} ${target.bound}${met === undefined ? '' : met ? ', met' : ', MISSED'}`;
}

/**
 * A ratio of two targets measured in the same rounds: the median of the per-round ratios (and their spread), so a
 * round where the whole machine was slow moves numerator and denominator together.
 */
export function printRatio(label: string, perRound: number[], target: Target): void {
  const value = median(perRound);
  const range = spread(perRound, 2);
  write(
    `  ${label.padEnd(58)} ${value.toFixed(2).padStart(6)} ${(range ? `(${range})` : '').padEnd(13)} (${targetText(value, target)})\n`,
  );
}

export function printValue(label: string, value: string, target?: string): void {
  write(`  ${label.padEnd(58)} ${value}${target ? `  (${target})` : ''}\n`);
}
