import { type Membership, membershipAt } from '../agents/memberships';
import { startOfLocalDay } from '../time/zones';

/**
 * The days of scheduled shifts (docs/attendance.md, "Days and time zones"): a shift belongs to the local date of its
 * start in the zone of its agent's site at that instant — the site's own IANA zone when it has one, else the
 * tenant's. So a site in Kuala Lumpur and one in Prague each have their own Monday.
 */

/** The zone a shift's day is counted in: its agent's site's (as of the shift's start) when set, else the tenant's. */
export function shiftZone(
  memberships: readonly Membership[],
  start: number,
  siteZones: ReadonlyMap<string, string | null>,
  tenantZone: string,
): string {
  const siteId = membershipAt(memberships, start)?.siteId ?? null;
  return (siteId === null ? null : siteZones.get(siteId)) ?? tenantZone;
}

/** The local date (YYYY-MM-DD) of an instant in a zone: the day a shift starting then belongs to. */
export function localDate(instant: number, timeZone: string): string {
  return startOfLocalDay(instant, timeZone).date;
}

const HOUR = 3_600_000;

/**
 * The instants a shift of a local date can start at, whatever its zone: from that date's midnight at UTC+14 to the
 * next midnight at UTC−12 (the extremes of IANA zones), as [from, to).
 */
export function dateStartRange(date: string): { from: number; to: number } {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  return { from: utcMidnight - 14 * HOUR, to: utcMidnight + 24 * HOUR + 12 * HOUR };
}
