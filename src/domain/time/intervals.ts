import { offsetsOf, type ZoneOffsets } from './zones';

/**
 * Reporting intervals: how a range of history is cut into rows.
 *
 * Every period is a half-open range of UTC instants `[start, end)` (epoch ms), cut at LOCAL wall-clock boundaries
 * of an IANA zone:
 * - `15m`, `30m`, `hour`: the instants whose local clock reads the same quarter, half or whole hour AND whose
 *   offset is the same. A period therefore never spans an offset change and is never longer than its name says:
 *   - spring forward: the local times that do not exist are not emitted (New York 02:00-03:00 has no row; Lord
 *     Howe's 02:00 hour, half skipped, is a 30-minute row);
 *   - fall back: a repeated hour is TWO periods, one per offset (New York 01:00 EDT and 01:00 EST), each with its
 *     own start instant, so rows stay unique by `start` and an hour-of-day profile never sees a 2-hour "hour".
 *   15/30-minute periods start at local :00/:15/:30/:45 (:00/:30) in every zone, Kathmandu (+5:45) included.
 * - `day`, `week` (ISO: Monday 00:00 local), `month` (the 1st, 00:00 local): from the first instant of the local
 *   date to the first instant of the next period's date, whatever happened in between (a local day is 23, 23.5,
 *   24, 24.5 or 25 h long). A date whose midnight was skipped starts at the first instant after the gap.
 * - `total`: exactly the requested range, one period.
 *
 * A requested range [from, to) is rounded OUTWARD to whole periods: the first period is the one containing `from`,
 * the last the one containing `to - 1 ms`. Every period boundary except `total`'s is then a 15-minute UTC boundary
 * (all offsets and transitions in use are whole quarter hours), so a period is an exact set of 15-minute buckets.
 */
export const INTERVALS = ['15m', '30m', 'hour', 'day', 'week', 'month', 'total'] as const;
export type Interval = (typeof INTERVALS)[number];
/** The intervals whose periods exist independently of a requested range (all but `total`). */
export type CalendarInterval = Exclude<Interval, 'total'>;

/** A period: UTC instants, epoch ms, `start` inclusive, `end` exclusive. */
export interface Period {
  readonly start: number;
  readonly end: number;
}

/** The length of a rollup bucket: 15 minutes. */
export const BUCKET_MS = 15 * 60_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// Beyond any offset tzdata has ever used (LMT of Asia/Manila was -15:56), so a local time's instant is in the window.
const MAX_OFFSET_MS = 16 * HOUR_MS;

const FIXED_MS: Readonly<Record<'15m' | '30m' | 'hour', number>> = { '15m': BUCKET_MS, '30m': 2 * BUCKET_MS, hour: HOUR_MS };

/** True for a supported interval name. */
export function isInterval(value: string): value is Interval {
  return (INTERVALS as readonly string[]).includes(value);
}

/** The 15-minute UTC bucket an instant falls in (its start). */
export function bucket15Of(instant: number): number {
  return Math.floor(instant / BUCKET_MS) * BUCKET_MS;
}

/** True when an instant starts a 15-minute UTC bucket. */
export function isBucket15Boundary(instant: number): boolean {
  return instant % BUCKET_MS === 0;
}

function assertInstant(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite epoch-ms instant`);
}

/**
 * The period of a calendar interval containing an instant, in a zone (throws RangeError for an unknown zone). Cheap
 * enough per 15-minute bucket: offsets come from the zone's cached table (`offsetsOf`), a few map reads per call.
 */
export function periodOf(instant: number, interval: CalendarInterval, timeZone: string): Period {
  assertInstant('instant', instant);
  const zone = offsetsOf(timeZone);
  switch (interval) {
    case '15m':
    case '30m':
    case 'hour':
      return fixedPeriodOf(zone, instant, FIXED_MS[interval]);
    case 'day':
    case 'week':
    case 'month': {
      const [localStart, localEnd] = localDateRange(instant + zone.offsetAt(instant), interval);
      return { start: firstInstantAtOrAfter(zone, localStart), end: firstInstantAtOrAfter(zone, localEnd) };
    }
    default:
      throw new RangeError(`no period of ${interval as string} exists outside a range`);
  }
}

/**
 * The periods covering [from, to), rounded outward to whole periods (`total`: exactly [from, to)); contiguous,
 * ascending, none empty. An empty range (to <= from) has none.
 */
export function periods(from: number, to: number, interval: Interval, timeZone: string): Period[] {
  assertInstant('from', from);
  assertInstant('to', to);
  if (to <= from) return [];
  if (interval === 'total') return [{ start: from, end: to }];
  const out: Period[] = [];
  for (let at = from; at < to; ) {
    const p = nextPeriod(at, interval, timeZone);
    out.push(p);
    at = p.end;
  }
  return out;
}

/**
 * How many periods `periods(from, to, interval, timeZone)` returns, without building them: what a request guard
 * compares with its row limit. Costs one cached offset lookup per UTC day of the range, so bound the range first.
 */
export function countPeriods(from: number, to: number, interval: Interval, timeZone: string): number {
  assertInstant('from', from);
  assertInstant('to', to);
  if (to <= from) return 0;
  if (interval === 'total') return 1;
  const zone = offsetsOf(timeZone);
  if (interval === '15m' || interval === '30m' || interval === 'hour') {
    const size = FIXED_MS[interval];
    const start = fixedPeriodOf(zone, from, size).start;
    const end = fixedPeriodOf(zone, to - 1, size).end;
    // Between two transitions the offset is fixed and periods are plain aligned slots; a transition always cuts.
    let count = 0;
    let pieceStart = start;
    let offset = zone.offsetAt(start);
    for (const t of [...zone.transitionsIn(start, end - 1), { at: end, offsetMs: offset }]) {
      count += Math.floor((t.at - 1 + offset) / size) - Math.floor((pieceStart + offset) / size) + 1;
      pieceStart = t.at;
      offset = t.offsetMs;
    }
    return count;
  }
  let count = 0;
  for (let at = from; at < to; count++) at = nextPeriod(at, interval, timeZone).end;
  return count;
}

/** The period containing `at`, checked to end after it: a walk over periods must never stall in a request. */
function nextPeriod(at: number, interval: CalendarInterval, timeZone: string): Period {
  const p = periodOf(at, interval, timeZone);
  if (!(p.start <= at && at < p.end)) {
    throw new Error(`period [${p.start}, ${p.end}) of ${interval} in ${timeZone} does not contain ${at}`);
  }
  return p;
}

/** The index of the period containing an instant in an ascending, contiguous list, or -1 (binary search). */
export function periodIndex(list: readonly Period[], instant: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = list[mid] as Period;
    if (instant < p.start) hi = mid - 1;
    else if (instant >= p.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * An instant as ISO-8601 local time with the zone's offset at it (`2026-11-01T01:00:00-05:00`), which tells the two
 * halves of a fall-back hour apart; milliseconds only when non-zero.
 */
export function toLocalIso(instant: number, timeZone: string): string {
  assertInstant('instant', instant);
  const offset = offsetsOf(timeZone).offsetAt(instant);
  const iso = new Date(instant + offset).toISOString();
  const local = iso.endsWith('.000Z') ? iso.slice(0, -5) : iso.slice(0, -1);
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / HOUR_MS)).padStart(2, '0');
  const mm = String(Math.floor((abs % HOUR_MS) / 60_000)).padStart(2, '0');
  const ss = abs % 60_000 === 0 ? '' : `:${String(Math.floor((abs % 60_000) / 1000)).padStart(2, '0')}`;
  return `${local}${offset < 0 ? '-' : '+'}${hh}:${mm}${ss}`;
}

/** The 15m/30m/hour period containing an instant: its aligned local slot, cut at any offset change inside it. */
function fixedPeriodOf(zone: ZoneOffsets, instant: number, size: number): Period {
  const offset = zone.offsetAt(instant);
  // While the offset is `offset`, local time is instant + offset, so the slot is aligned in local time.
  let start = Math.floor((instant + offset) / size) * size - offset;
  let end = start + size;
  for (const t of zone.transitionsIn(start, end - 1)) {
    if (t.at <= instant) start = t.at;
    else {
      end = t.at;
      break;
    }
  }
  return { start, end };
}

/**
 * The local wall-clock range (ms since the epoch, read as local time) of the day, ISO week or month containing a
 * local time: [its first midnight, the next period's first midnight).
 */
function localDateRange(local: number, interval: 'day' | 'week' | 'month'): [number, number] {
  const day = Math.floor(local / DAY_MS);
  if (interval === 'day') return [day * DAY_MS, (day + 1) * DAY_MS];
  if (interval === 'week') {
    // Day 0 (1970-01-01) was a Thursday: +3 makes Monday 0.
    const monday = day - ((((day + 3) % 7) + 7) % 7);
    return [monday * DAY_MS, (monday + 7) * DAY_MS];
  }
  const d = new Date(day * DAY_MS);
  return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
}

/**
 * The first instant whose local time is `local` or later: the instant of that wall-clock time, its first
 * occurrence if a fall back repeats it, or the end of the gap if a spring forward skipped it.
 */
function firstInstantAtOrAfter(zone: ZoneOffsets, local: number): number {
  // The instant of a local time lies within MAX_OFFSET_MS of it; walk the stretches of fixed offset around it.
  let pieceStart = Number.NEGATIVE_INFINITY;
  let offset = zone.offsetAt(local - MAX_OFFSET_MS);
  for (const t of [...zone.transitionsIn(local - MAX_OFFSET_MS, local + MAX_OFFSET_MS), null]) {
    const pieceEnd = t ? t.at : Number.POSITIVE_INFINITY;
    const candidate = Math.max(pieceStart, local - offset);
    if (candidate < pieceEnd) return candidate;
    if (t) {
      pieceStart = t.at;
      offset = t.offsetMs;
    }
  }
  // Unreachable: the last stretch is unbounded, so it always has a candidate.
  return local - offset;
}
