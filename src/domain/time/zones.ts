const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
export function localParts(instant: number, timeZone: string) {
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant the local day containing `instant` began in the zone, and that day as YYYY-MM-DD.
 * DST-safe: the offset is taken at the candidate midnight itself, twice to settle.
 */
export function startOfLocalDay(instant: number, timeZone: string): { start: number; date: string } {
  const p = localParts(instant, timeZone);
  const midnightUtc = Date.UTC(p.year, p.month - 1, p.day);
  const first = midnightUtc - zoneOffsetMs(midnightUtc, timeZone);
  const second = midnightUtc - zoneOffsetMs(first, timeZone);
  // Where the clocks change at midnight, one of the two is an instant of the day before: the day begins at the
  // earliest of them that is in it (Santiago jumps from 00:00 to 01:00; falling back, its midnight comes twice).
  const inDay = (t: number) => {
    const q = localParts(t, timeZone);
    return q.year === p.year && q.month === p.month && q.day === p.day;
  };
  const start = [first, second].filter(inDay).sort((a, b) => a - b)[0] ?? second;
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return { start, date };
}

/** The instant a calendar date (`YYYY-MM-DD`) began in the zone (DST-safe: taken from an instant inside that date). */
export function startOfDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  // Two hours after the local midnight, wherever the zone's offset puts it: inside that local date.
  return startOfLocalDay(utcMidnight - zoneOffsetMs(utcMidnight, timeZone) + 2 * 3_600_000, timeZone).start;
}

const DAY_MS = 86_400_000;
/** Past this many cached UTC days a zone's cache starts afresh, so a long-lived isolate stays small. */
const MAX_CACHED_DAYS = 20_000;

/** An instant a zone's offset changes, and the offset from that instant on. */
export interface OffsetTransition {
  readonly at: number;
  readonly offsetMs: number;
}

const NO_TRANSITIONS: readonly OffsetTransition[] = Object.freeze([]);
let intlLookups = 0;

function lookupOffset(instant: number, timeZone: string): number {
  intlLookups++;
  return zoneOffsetMs(instant, timeZone);
}

/**
 * How many offsets the cached zone tables have asked Intl for, in this isolate. Intl is the slow part (microseconds
 * per call), so tests bound this count instead of timing anything.
 */
export function intlOffsetLookups(): number {
  return intlLookups;
}

/**
 * One zone's offsets and transitions, learnt from Intl one UTC day at a time and kept. A UTC day is asked for its
 * offset at both midnights; only when they differ is the day bisected (to the second) for the instants the offset
 * changed, so a year costs about 365 Intl calls plus ~17 per transition, and every later question is a map lookup.
 * Assumes a zone never changes its offset and changes it back within one UTC day (no zone in tzdata does).
 */
export class ZoneOffsets {
  private readonly midnights = new Map<number, number>();
  private readonly days = new Map<number, readonly OffsetTransition[]>();

  constructor(readonly timeZone: string) {
    // Fails now, with Intl's RangeError, for a name the runtime does not know.
    lookupOffset(0, timeZone);
  }

  /** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
  offsetAt(instant: number): number {
    const day = Math.floor(instant / DAY_MS);
    let offset = this.atMidnight(day);
    for (const t of this.transitionsOfDay(day)) {
      if (t.at <= instant) offset = t.offsetMs;
    }
    return offset;
  }

  /** The transitions with `after < at <= upTo`, in order. */
  transitionsIn(after: number, upTo: number): OffsetTransition[] {
    const out: OffsetTransition[] = [];
    // A day's list holds the transitions in (its midnight, the next midnight].
    for (let day = Math.floor(after / DAY_MS); day * DAY_MS < upTo; day++) {
      for (const t of this.transitionsOfDay(day)) {
        if (t.at > after && t.at <= upTo) out.push(t);
      }
    }
    return out;
  }

  private atMidnight(day: number): number {
    let offset = this.midnights.get(day);
    if (offset === undefined) {
      if (this.midnights.size >= MAX_CACHED_DAYS) {
        this.midnights.clear();
        this.days.clear();
      }
      offset = lookupOffset(day * DAY_MS, this.timeZone);
      this.midnights.set(day, offset);
    }
    return offset;
  }

  private transitionsOfDay(day: number): readonly OffsetTransition[] {
    let list = this.days.get(day);
    if (list === undefined) {
      const from = this.atMidnight(day);
      const to = this.atMidnight(day + 1);
      list = from === to ? NO_TRANSITIONS : this.bisect(day * DAY_MS, from, (day + 1) * DAY_MS, to);
      this.days.set(day, list);
    }
    return list;
  }

  /** The transitions in (lo, hi], both whole seconds, given the offsets at lo and hi. */
  private bisect(lo: number, offsetLo: number, hi: number, offsetHi: number): OffsetTransition[] {
    if (offsetLo === offsetHi) return [];
    if (hi - lo <= 1000) return [{ at: hi, offsetMs: offsetHi }];
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    const offsetMid = lookupOffset(mid, this.timeZone);
    return [...this.bisect(lo, offsetLo, mid, offsetMid), ...this.bisect(mid, offsetMid, hi, offsetHi)];
  }
}

const zoneTables = new Map<string, ZoneOffsets>();

/** The shared, cached offset table of a zone (throws RangeError for an unknown zone). */
export function offsetsOf(timeZone: string): ZoneOffsets {
  let table = zoneTables.get(timeZone);
  if (!table) {
    table = new ZoneOffsets(timeZone);
    zoneTables.set(timeZone, table);
  }
  return table;
}
