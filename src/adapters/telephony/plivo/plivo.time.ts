import { zoneOffsetMs } from '../../../domain/time/zones';

const DAY_MS = 86_400_000;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The instant of a Plivo timestamp. Plivo writes call times as `yyyy-MM-dd HH:mm:ss` in the time
 * zone set in the Plivo console, with no offset (its Call object docs), so the connector's
 * `timeZone` says which zone they are in. A timestamp that does carry an offset (multiparty-call
 * objects do: `2020-12-24 09:20:03+00:00`) is taken as written. Null when it is not a timestamp.
 *
 * In the hour a DST change repeats, the earlier of the two instants is chosen; in the hour it
 * skips, the wall time is read with the offset in force just before the change.
 */
export function plivoInstant(value: string, timeZone: string): number | null {
  const m = LOCAL.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  // Date.UTC rolls 31 April over to 1 May: refuse dates that do not exist.
  if (new Date(wall).getUTCDate() !== day) return null;
  const offset = m[8];
  if (offset !== undefined) {
    if (offset === 'Z') return wall;
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  // Read the wall time with the offset in force a day before and a day after; keep the reading that
  // gives the wall time back (both in a repeated hour: the earlier; none in a skipped hour: the former).
  const before = wall - zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = wall - zoneOffsetMs(wall + DAY_MS, timeZone);
  const fits = [before, after].filter((t) => t + zoneOffsetMs(t, timeZone) === wall);
  return fits.length > 0 ? Math.min(...fits) : before;
}
