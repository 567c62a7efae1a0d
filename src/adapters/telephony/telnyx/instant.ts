/** An ISO-8601 instant with an offset, of any sub-second precision (Telnyx sends microseconds), as ms ISO; else null. */
export function isoInstant(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}${m[4]?.toUpperCase()}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
