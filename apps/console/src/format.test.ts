import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDay,
  formatLimit,
  formatMs,
  formatPercent,
  formatRatio,
  formatRelative,
  formatRequests,
  formatTokens,
  formatUsd,
  formatUsdTick,
} from './format.js';

describe('numbers with units', () => {
  it('shows counts with separators, and compact above ten thousand', () => {
    expect(formatCount(1_234)).toBe('1,234');
    expect(formatCount(12_345)).toBe('12.3K');
    expect(formatCount(4_500_000)).toBe('4.5M');
  });

  it('names tokens and requests, singular for one', () => {
    expect(formatTokens(1)).toBe('1 token');
    expect(formatTokens(2_048)).toBe('2,048 tokens');
    expect(formatRequests(1)).toBe('1 request');
    expect(formatRequests(0)).toBe('0 requests');
  });

  it('shows dollars with cents, and fractions of a cent without rounding them to zero', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(1_500)).toBe('$1,500.00');
    expect(formatUsd(0.0421)).toBe('$0.0421');
    expect(formatUsd(0.000042)).toBe('$0.000042');
  });

  it('keeps chart ticks short', () => {
    expect(formatUsdTick(0)).toBe('$0');
    expect(formatUsdTick(0.000105)).toBe('$0.00011');
    expect(formatUsdTick(120)).toBe('$120');
  });

  it('shows latency in ms below a second and seconds above', () => {
    expect(formatMs(842.4)).toBe('842 ms');
    expect(formatMs(1_250)).toBe('1.25 s');
    expect(formatMs(null)).toBe('–');
  });

  it('shows ratios and percentages, and a dash when unknown', () => {
    expect(formatRatio(0.975)).toBe('97.5 %');
    expect(formatRatio(1)).toBe('100 %');
    expect(formatRatio(null)).toBe('–');
    expect(formatPercent(82.46)).toBe('82.5 %');
    expect(formatPercent(80)).toBe('80 %');
    expect(formatPercent(4.56)).toBe('4.6 %');
  });

  it('calls a zero limit unlimited', () => {
    expect(formatLimit(0, formatTokens)).toBe('unlimited');
    expect(formatLimit(100_000, formatTokens)).toBe('100K tokens');
  });
});

describe('times in the browser zone', () => {
  const instant = '2026-12-02T09:14:00.000Z';

  it('shows an instant in the given zone', () => {
    expect(formatDateTime(instant, 'UTC')).toBe('Dec 2, 2026, 09:14');
    expect(formatDateTime(instant, 'America/New_York')).toBe('Dec 2, 2026, 04:14');
    expect(formatDateTime(instant, 'Asia/Kolkata')).toBe('Dec 2, 2026, 14:44');
  });

  it('says never for a missing instant and invalid date for garbage', () => {
    expect(formatDateTime(null)).toBe('never');
    expect(formatDateTime('not a date')).toBe('invalid date');
  });

  it('shows a date alone in the given zone', () => {
    expect(formatDate(instant, 'UTC')).toBe('Dec 2, 2026');
    expect(formatDate('2026-12-02T02:00:00.000Z', 'America/Los_Angeles')).toBe('Dec 1, 2026');
  });

  it('shows a UTC day as month and day', () => {
    expect(formatDay('2026-12-02')).toBe('Dec 2');
  });

  it('says how far an instant is from now', () => {
    const now = Date.parse(instant);
    expect(formatRelative('2026-12-02T09:19:00.000Z', now)).toBe('in 5 min.');
    expect(formatRelative('2026-12-02T06:14:00.000Z', now)).toBe('3 hr. ago');
    expect(formatRelative(null, now)).toBe('never');
  });
});
