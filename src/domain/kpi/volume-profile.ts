import { periods } from '../time/intervals';
import { offsetsOf, type ZoneOffsets } from '../time/zones';

/**
 * The volume profile (busy and idle hours): a count of visits per local hour of day × ISO weekday, with how many
 * such hours the range held, so the average per hour is exact however many Mondays, DST changes or partial weeks
 * the range spans.
 *
 * Hours are the zone's `hour` periods (`src/domain/time/intervals.ts`): a local hour that a fall back repeats is two
 * periods and counts as two hours (its visits, from both, in the one cell); a local hour that a spring forward skips
 * has no period and counts zero. An hour cut short by a transition (Lord Howe's 30-minute change) counts its
 * length: 0.5. A cell's `hours` is therefore the exact exposure behind its count, and `perHour` = count / hours.
 */

/** An instant with a number of visits: a visit's start (count 1) or a 15-minute bucket's start with its count. */
export interface TimedCount {
  at: number;
  count: number;
}

export interface VolumeSlot {
  count: number;
  /** Hours of this kind in the range (a repeated local hour twice, a skipped one not at all). */
  hours: number;
  /** count / hours; null when the range held no such hour. */
  perHour: number | null;
}

/** One cell of the heat map: ISO weekday 1 (Monday) .. 7 (Sunday) × local hour 0..23. */
export interface VolumeCell extends VolumeSlot {
  weekday: number;
  hour: number;
}

export interface HourOfDay extends VolumeSlot {
  hour: number;
}

export interface Weekday extends VolumeSlot {
  weekday: number;
}

/**
 * The busiest and the quietest rows by average per hour (rows with no hours left out; ties go to the first in
 * order), and busiest / quietest: null when the quietest averaged 0 (the ratio would be infinite) or there is none.
 */
export interface Extremes<T> {
  peak: T | null;
  trough: T | null;
  peakToTroughRatio: number | null;
}

export interface VolumeProfile extends Extremes<VolumeCell> {
  timeZone: string;
  /** The range rounded outward to whole local hours. */
  from: number;
  to: number;
  /** 168 cells, Monday 00:00 first, then Monday 01:00 … Sunday 23:00. */
  cells: VolumeCell[];
  /** The 24 hours of day over all weekdays, with their own extremes. */
  byHourOfDay: Extremes<HourOfDay> & { rows: HourOfDay[] };
  byWeekday: Extremes<Weekday> & { rows: Weekday[] };
  total: VolumeSlot;
  /** `partial` when the range reaches past `asOf` (hours after it are not counted yet) or visits in it still wait. */
  status: 'complete' | 'partial';
}

export interface VolumeProfileInput {
  from: number;
  to: number;
  timeZone: string;
  /** Counts at instants; those outside the rounded range are ignored. */
  counts: Iterable<TimedCount>;
  /** The time of the question: hours (or parts of hours) after it are not counted as hours. Default: no limit. */
  asOf?: number;
  /** Visits in the range that have not left their queue yet (their outcome, so an outcome's count, may change). */
  waiting?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
export const WEEKDAYS = 7;
export const HOURS_PER_DAY = 24;

/** ISO weekday (1 = Monday) and local hour of an instant in a zone. */
export function localSlotOf(zone: ZoneOffsets, instant: number): { weekday: number; hour: number } {
  const local = instant + zone.offsetAt(instant);
  const day = Math.floor(local / DAY_MS);
  // Day 0 (1970-01-01) was a Thursday: +3 makes Monday 0.
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  return { weekday, hour: Math.floor((local - day * DAY_MS) / HOUR_MS) };
}

const cellIndex = (weekday: number, hour: number) => (weekday - 1) * HOURS_PER_DAY + hour;
const slot = (count: number, hours: number): VolumeSlot => ({ count, hours, perHour: hours > 0 ? count / hours : null });

/**
 * The volume profile of a range in a zone (throws RangeError for an unknown zone). Counts are placed by the local
 * hour of their instant, so 15-minute bucket starts place exactly as the visits in them would (every offset in use
 * is a whole quarter hour).
 */
export function volumeProfile(input: VolumeProfileInput): VolumeProfile {
  const zone = offsetsOf(input.timeZone);
  const hours = periods(input.from, input.to, 'hour', input.timeZone);
  const from = hours[0]?.start ?? input.from;
  const to = hours.at(-1)?.end ?? input.from;
  const asOf = input.asOf ?? Number.POSITIVE_INFINITY;

  const counts = new Array<number>(WEEKDAYS * HOURS_PER_DAY).fill(0);
  const exposureMs = new Array<number>(WEEKDAYS * HOURS_PER_DAY).fill(0);
  for (const p of hours) {
    const ms = Math.min(p.end, asOf) - p.start;
    if (ms <= 0) break;
    const s = localSlotOf(zone, p.start);
    const i = cellIndex(s.weekday, s.hour);
    exposureMs[i] = (exposureMs[i] ?? 0) + ms;
  }
  for (const c of input.counts) {
    if (c.at < from || c.at >= to || c.count === 0) continue;
    const s = localSlotOf(zone, c.at);
    const i = cellIndex(s.weekday, s.hour);
    counts[i] = (counts[i] ?? 0) + c.count;
  }

  const cells: VolumeCell[] = [];
  for (let weekday = 1; weekday <= WEEKDAYS; weekday++) {
    for (let hour = 0; hour < HOURS_PER_DAY; hour++) {
      const i = cellIndex(weekday, hour);
      cells.push({ weekday, hour, ...slot(counts[i] ?? 0, (exposureMs[i] ?? 0) / HOUR_MS) });
    }
  }
  const sum = (list: readonly VolumeCell[]) =>
    slot(
      list.reduce((n, c) => n + c.count, 0),
      list.reduce((n, c) => n + c.hours, 0),
    );
  const byHour: HourOfDay[] = Array.from({ length: HOURS_PER_DAY }, (_, hour) => ({
    hour,
    ...sum(cells.filter((c) => c.hour === hour)),
  }));
  const byDay: Weekday[] = Array.from({ length: WEEKDAYS }, (_, i) => ({
    weekday: i + 1,
    ...sum(cells.filter((c) => c.weekday === i + 1)),
  }));

  return {
    timeZone: input.timeZone,
    from,
    to,
    cells,
    ...extremes(cells),
    byHourOfDay: { rows: byHour, ...extremes(byHour) },
    byWeekday: { rows: byDay, ...extremes(byDay) },
    total: sum(cells),
    status: to > asOf || (input.waiting ?? 0) > 0 ? 'partial' : 'complete',
  };
}

/** Peak and trough by average per hour among rows that had hours; ties go to the first row. */
export function extremes<T extends VolumeSlot>(rows: readonly T[]): Extremes<T> {
  let peak: T | null = null;
  let trough: T | null = null;
  for (const r of rows) {
    if (r.perHour === null) continue;
    if (peak === null || r.perHour > (peak.perHour as number)) peak = r;
    if (trough === null || r.perHour < (trough.perHour as number)) trough = r;
  }
  const low = trough?.perHour ?? 0;
  return {
    peak,
    trough,
    peakToTroughRatio: peak !== null && low > 0 ? (peak.perHour as number) / low : null,
  };
}
