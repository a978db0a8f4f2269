/** Display helpers: every number leaves here with its unit, every instant in the browser's time zone. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `1,234` below ten thousand, `12.3K` / `4.5M` above, so tables stay narrow. */
export function formatCount(value: number): string {
  return Math.abs(value) < 10_000 ? integer.format(value) : compact.format(value);
}

/** `1,234 tokens`, `1 token`, `12.3K tokens`. */
export function formatTokens(value: number): string {
  return `${formatCount(value)} ${value === 1 ? 'token' : 'tokens'}`;
}

/** `1 request`, `1,234 requests`. */
export function formatRequests(value: number): string {
  return `${formatCount(value)} ${value === 1 ? 'request' : 'requests'}`;
}

/**
 * US dollars with as many decimals as the amount needs: `$12.35` for dollars, `$0.0042` for fractions of a cent
 * (LLM calls often cost less than a cent, and `$0.00` would hide them), `$0` for nothing.
 */
export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 1 ? 2 : magnitude >= 0.01 ? 4 : 6;
  const text = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: magnitude >= 1 ? 2 : 0,
    maximumFractionDigits: decimals,
  }).format(value);
  return text;
}

/** A chart axis tick in dollars, two significant digits: `$0.00011`, `$1.5`, `$120`. */
export function formatUsdTick(value: number): string {
  if (value === 0) return '$0';
  return `$${Number(value.toPrecision(2))}`;
}

/** `850 ms` below a second, `1.25 s` above; `–` when unknown. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (Math.abs(value) < 1_000) return `${integer.format(Math.round(value))} ms`;
  return `${(value / 1_000).toFixed(2)} s`;
}

/** A ratio (0..1) as `97.5 %`; `–` when unknown (no requests yet). */
export function formatRatio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return formatPercent(value * 100);
}

/** A percentage (0..100, possibly above) as `82 %` or `97.5 %` (one decimal at most); `–` when unknown. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const tenths = Math.round(value * 10) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)} %`;
}

/** A limit where 0 means unlimited, as the plans define it. */
export function formatLimit(value: number, format: (value: number) => string): string {
  return value === 0 ? 'unlimited' : format(value);
}

/** An instant in the browser's time zone: `Dec 2, 2026, 09:14`; `never` when absent. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'invalid date';
  return new Intl.DateTimeFormat('en-US', {
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
    timeZone,
  }).format(date);
}

/** A date without time, in the browser's time zone: `Dec 2, 2026`. */
export function formatDate(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'invalid date';
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone }).format(date);
}

/** A day (`2026-12-02`, as the API groups by UTC day) as `Dec 2`. */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date);
}

/** An hour bucket in the browser's zone: `14:00`. */
export function formatHour(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-US', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(date);
}

/** How far an instant is from now: `in 5 min`, `3 h ago`. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1_000);
  if (!Number.isFinite(seconds)) return 'invalid date';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const relative = new Intl.RelativeTimeFormat('en-US', { numeric: 'auto', style: 'short' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(seconds, 'second');
}
