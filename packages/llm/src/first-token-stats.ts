import { LRUCache } from 'lru-cache';
import { autoHedgeSamples } from './chain-policy.js';

/** First tokens kept per provider: the p95 follows the last few minutes of a busy provider. */
const windowSize = 200;
/** The p95 is recomputed after this many new samples, not on every request. */
const recomputeEvery = 10;

interface Samples {
  values: Float64Array;
  count: number;
  next: number;
  sinceComputed: number;
  p95: number | undefined;
}

/**
 * Observed times to first token per provider, for `hedgeAfterMs: 'auto'`. Only first tokens that arrived are
 * samples: a hedged-away slow attempt is not, so a provider slow only sometimes keeps a threshold near its usual
 * p95 instead of drifting towards its slow calls. Bounded: per-user providers are forgotten least recently used.
 */
export class FirstTokenStats {
  private readonly byProvider = new LRUCache<string, Samples>({ max: 1_000 });

  /** A stream of `provider` sent its first content token `ms` after its attempt started. */
  record(provider: string, ms: number): void {
    let samples = this.byProvider.get(provider);
    if (!samples) {
      samples = {
        values: new Float64Array(windowSize),
        count: 0,
        next: 0,
        sinceComputed: recomputeEvery,
        p95: undefined,
      };
      this.byProvider.set(provider, samples);
    }
    samples.values[samples.next] = ms;
    samples.next = (samples.next + 1) % windowSize;
    samples.count = Math.min(windowSize, samples.count + 1);
    samples.sinceComputed += 1;
  }

  /** The p95 of the provider's recent first tokens; undefined until it has `autoHedgeSamples` of them. */
  p95(provider: string): number | undefined {
    const samples = this.byProvider.get(provider);
    if (!samples || samples.count < autoHedgeSamples) return undefined;
    if (samples.sinceComputed >= recomputeEvery || samples.p95 === undefined) {
      const sorted = samples.values.slice(0, samples.count).sort();
      samples.p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
      samples.sinceComputed = 0;
    }
    return samples.p95;
  }
}
