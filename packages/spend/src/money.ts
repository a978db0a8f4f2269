/**
 * Costs travel through Redis as integer nano-USD: Lua numbers are doubles, and integers stay exact up to 2^53
 * nano-USD (about $9M per user and month), where sums of fractional dollars would drift.
 */
const nanoPerUsd = 1_000_000_000;

/** USD to whole nano-USD, rounded up so a reservation never under-counts. */
export function toNanoUsd(usd: number): number {
  return Math.ceil(usd * nanoPerUsd - 1e-6);
}

/** Nano-USD to USD. */
export function fromNanoUsd(nano: number): number {
  return nano / nanoPerUsd;
}
