import type { UsageEvent } from '@switchyard/jobs';
import { describe, expect, it } from 'vitest';
import { summarizeUsage, usagePeriod } from './summarize-usage.js';

const base: UsageEvent = {
  requestId: 'request-1',
  attempt: 1,
  userId: '00000000-0000-4000-8000-000000000002',
  apiKeyId: null,
  provider: 'gemini',
  model: 'gemini-2.0-flash',
  endpoint: 'chat.completions',
  promptTokens: 100,
  completionTokens: 0,
  cachedTokens: 10,
  tokensEstimated: false,
  costUsd: 0.001,
  priceEstimated: false,
  latencyMs: 10,
  status: 'error',
  errorKind: 'rate_limit',
  fallbackFrom: null,
  streaming: false,
  final: false,
  occurredAt: Date.UTC(2026, 11, 31, 23, 59, 59),
};

describe('summarizeUsage', () => {
  it('counts a request with a fallback once, its fallback once, and every attempt per provider', () => {
    const [summary, ...rest] = summarizeUsage([
      base,
      {
        ...base,
        attempt: 2,
        provider: 'openai',
        status: 'success',
        errorKind: null,
        completionTokens: 40,
        fallbackFrom: 'gemini',
        final: true,
        costUsd: 0.002,
      },
    ]);
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({
      period: '2026-12',
      requests: 1,
      errors: 0,
      fallbacks: 1,
      promptTokens: 200,
      completionTokens: 40,
      cachedTokens: 20,
      perProvider: {
        gemini: { requests: 1, tokens: 100, cost: 0.001, errors: 1 },
        openai: { requests: 1, tokens: 140, cost: 0.002, errors: 0 },
      },
    });
    expect(summary!.cost).toBeCloseTo(0.003, 9);
  });

  it('counts a request that failed on every provider as one request and one error', () => {
    const [summary] = summarizeUsage([
      base,
      { ...base, attempt: 2, provider: 'openai', fallbackFrom: 'gemini', final: true },
    ]);
    expect(summary).toMatchObject({ requests: 1, errors: 1, fallbacks: 1 });
  });

  it('splits by user and UTC month, in (user, period) order, and leaves admin-key events out', () => {
    const summaries = summarizeUsage([
      { ...base, userId: '00000000-0000-4000-8000-000000000009', final: true },
      { ...base, final: true, occurredAt: Date.UTC(2027, 0, 1) },
      { ...base, final: true },
      { ...base, userId: null, final: true },
    ]);
    expect(summaries.map((summary) => [summary.userId.slice(-1), summary.period])).toEqual([
      ['2', '2026-12'],
      ['2', '2027-01'],
      ['9', '2026-12'],
    ]);
  });
});

describe('usagePeriod', () => {
  it('is the UTC month, or null for a time with no four-digit year', () => {
    expect(usagePeriod(Date.UTC(2026, 0, 1))).toBe('2026-01');
    expect(usagePeriod(8.64e15 + 1)).toBeNull();
    expect(usagePeriod(Date.UTC(10_000, 0, 1))).toBeNull();
  });
});
