/**
 * Parses a rate-limit duration: plain seconds (`"20"`, `"0.5"`), OpenAI's Go-style durations
 * (`"6m0s"`, `"1.5s"`, `"250ms"`), or an HTTP date. Returns milliseconds.
 */
export function parseDurationMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length > 0 && parts.map((part) => part[0]).join('') === trimmed) {
    const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return Math.round(
      parts.reduce((total, part) => total + Number(part[1]) * (unitMs[part[2] ?? 's'] ?? 1000), 0),
    );
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
