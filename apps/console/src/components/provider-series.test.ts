import { describe, expect, it } from 'vitest';
import type { ProviderStats } from '../api/operator.js';
import { breakerRows, latencyRows, pivotBuckets } from './provider-series.js';

const bucket = (start: string, successRate: number | null, fallbacks = 0) => ({
  start,
  requests: successRate === null ? 0 : 10,
  successRate,
  p50Ms: successRate === null ? null : 100,
  p95Ms: successRate === null ? null : 400,
  fallbacks,
  rateLimited: 0,
});

const stats: ProviderStats = {
  from: '2026-12-02T06:00:00.000Z',
  to: '2026-12-02T09:00:00.000Z',
  bucketMinutes: 60,
  providers: [
    {
      provider: 'openai',
      buckets: [
        bucket('2026-12-02T06:00:00.000Z', 1),
        bucket('2026-12-02T07:00:00.000Z', 0.5, 3),
        bucket('2026-12-02T08:00:00.000Z', null),
      ],
      breakerTransitions: [
        { at: '2026-12-02T07:10:00.000Z', state: 'open', openUntil: '2026-12-02T07:11:00.000Z' },
        { at: '2026-12-02T08:30:00.000Z', state: 'closed', openUntil: null },
      ],
      rateLimitedUntil: null,
    },
    {
      provider: 'anthropic',
      buckets: [
        bucket('2026-12-02T06:00:00.000Z', 0.9),
        bucket('2026-12-02T07:00:00.000Z', 1),
        bucket('2026-12-02T08:00:00.000Z', 1),
      ],
      breakerTransitions: [],
      rateLimitedUntil: null,
    },
  ],
};

describe('provider chart series', () => {
  it('puts every provider of a bucket on one row, keeping gaps as null', () => {
    expect(pivotBuckets(stats, 'successRate')).toEqual([
      { start: '2026-12-02T06:00:00.000Z', openai: 1, anthropic: 0.9 },
      { start: '2026-12-02T07:00:00.000Z', openai: 0.5, anthropic: 1 },
      { start: '2026-12-02T08:00:00.000Z', openai: null, anthropic: 1 },
    ]);
    expect(pivotBuckets(stats, 'fallbacks').map((row) => row.openai)).toEqual([0, 3, 0]);
  });

  it('puts p50 and p95 of each provider side by side', () => {
    expect(latencyRows(stats)[2]).toEqual({
      start: '2026-12-02T08:00:00.000Z',
      'openai p50': null,
      'openai p95': null,
      'anthropic p50': 100,
      'anthropic p95': 400,
    });
  });

  it('shows the breaker open in every bucket it was open in at any moment', () => {
    expect(breakerRows(stats).map((row) => [row.openai, row.anthropic])).toEqual([
      [0, 0],
      [1, 0],
      [1, 0],
    ]);
  });
});
