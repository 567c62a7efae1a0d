import { BUCKET_MS } from '../time/intervals';
import { offsetsOf } from '../time/zones';

/**
 * A queue's history as forecasting reads it: 15-minute UTC buckets placed on local days of the tenant's zone, each
 * day 96 wall-clock quarter hours (00:00–00:15 is slot 0). Weekly seasonality and the intraday profile are local
 * (a Monday 09:00 is a Monday 09:00 in summer and in winter), so a model sees days and slots, never UTC buckets.
 *
 * DST: a quarter hour that a fall back repeats holds two buckets, one a spring forward skips none. A slot's value is
 * therefore kept as a sum with the number of real buckets behind it (`buckets`), and models work in rates per real
 * 15 minutes (sum / buckets), which a repeated quarter hour gets twice and a skipped one not at all.
 */

export const SLOTS_PER_DAY = 96;
const DAY_MS = 86_400_000;

/** One 15-minute bucket of a queue: visits offered in it (by their start) and handled segments with their handle time (by their connect). */
export interface BucketActuals {
  start: number;
  offered: number;
  handled: number;
  /** Talk + hold + after-call work of the handled segments, in seconds (the numerator of `aht`). */
  handleSeconds: number;
}

/** A local day of history, slot by slot. */
export interface LocalDay {
  /** Days since 1970-01-01 in the zone (a local date as a number). */
  day: number;
  date: string;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
  /** Real 15-minute buckets in each slot: 1, 2 (repeated by a fall back) or 0 (skipped by a spring forward). */
  buckets: number[];
  offered: number[];
  handled: number[];
  handleSeconds: number[];
}

/** The local day number of a date (YYYY-MM-DD). */
export function dayOfDate(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** The date (YYYY-MM-DD) of a local day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The ISO weekday (1 Monday … 7 Sunday) of a local day number (day 0, 1 January 1970, was a Thursday). */
export function weekdayOfDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** Where an instant falls in the zone: its local day number and wall-clock quarter hour. */
export function localSlot(instant: number, timeZone: string): { day: number; slot: number } {
  const local = instant + offsetsOf(timeZone).offsetAt(instant);
  const day = Math.floor(local / DAY_MS);
  return { day, slot: Math.floor((local - day * DAY_MS) / BUCKET_MS) };
}

function emptyDay(day: number): LocalDay {
  const zeros = () => new Array<number>(SLOTS_PER_DAY).fill(0);
  return {
    day,
    date: dateOfDay(day),
    weekday: weekdayOfDay(day),
    buckets: zeros(),
    offered: zeros(),
    handled: zeros(),
    handleSeconds: zeros(),
  };
}

/**
 * The local days of [from, to) (both 15-minute boundaries; normally local midnights), oldest first and without gaps,
 * every bucket of the range counted in its slot whether or not `buckets` lists it (a bucket not listed held nothing).
 * Buckets outside the range are ignored.
 */
export function localDays(buckets: Iterable<BucketActuals>, from: number, to: number, timeZone: string): LocalDay[] {
  const days = new Map<number, LocalDay>();
  const at = (instant: number) => {
    const { day, slot } = localSlot(instant, timeZone);
    let d = days.get(day);
    if (!d) {
      d = emptyDay(day);
      days.set(day, d);
    }
    return { d, slot };
  };
  for (let t = from; t < to; t += BUCKET_MS) {
    const { d, slot } = at(t);
    d.buckets[slot] = (d.buckets[slot] ?? 0) + 1;
  }
  for (const b of buckets) {
    if (b.start < from || b.start >= to) continue;
    const { d, slot } = at(b.start);
    d.offered[slot] = (d.offered[slot] ?? 0) + b.offered;
    d.handled[slot] = (d.handled[slot] ?? 0) + b.handled;
    d.handleSeconds[slot] = (d.handleSeconds[slot] ?? 0) + b.handleSeconds;
  }
  return [...days.values()].sort((a, b) => a.day - b.day);
}

/** The sum of an array. */
export function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
