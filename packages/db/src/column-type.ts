const typeAliases: Record<string, string> = {
  serial: 'integer',
  bigserial: 'bigint',
  smallserial: 'smallint',
  varchar: 'character varying',
  char: 'character',
  timestamp: 'timestamp without time zone',
  time: 'time without time zone',
};

/** Normalizes a type name so Drizzle's spelling and `format_type()` compare equal. */
export function normalizeType(type: string): string {
  const compact = type
    .toLowerCase()
    .replace(/\s*,\s*/g, ',')
    .trim();
  const base = compact.replace(/\(.*$/, '');
  const alias = typeAliases[base];
  return alias ? compact.replace(base, alias) : compact;
}
