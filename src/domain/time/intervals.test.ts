import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_MS,
  bucket15Of,
  type CalendarInterval,
  countPeriods,
  INTERVALS,
  type Interval,
  isBucket15Boundary,
  isInterval,
  type Period,
  periodIndex,
  periodOf,
  periods,
  toLocalIso,
} from './intervals';
import { intlOffsetLookups, localParts, offsetsOf, startOfLocalDay, zoneOffsetMs } from './zones';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
/** Periods as [start, end] ISO pairs, so a failure reads as instants. */
const shown = (list: readonly Period[]) => list.map((p) => [iso(p.start), iso(p.end)]);
const expected = (pairs: readonly (readonly [string, string])[]) => pairs.map(([s, e]) => [iso(at(s)), iso(at(e))]);

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const CALENDAR: readonly CalendarInterval[] = ['15m', '30m', 'hour', 'day', 'week', 'month'];

describe('interval names', () => {
  it('lists every interval once and recognises only those', () => {
    expect(INTERVALS).toEqual(['15m', '30m', 'hour', 'day', 'week', 'month', 'total']);
    expect(INTERVALS.every(isInterval)).toBe(true);
    for (const bad of ['1h', 'Day', 'quarter', '', '15M']) expect(isInterval(bad)).toBe(false);
  });
});

describe('15-minute UTC buckets', () => {
  it.each([
    ['2026-03-08T07:14:59.999Z', '2026-03-08T07:00:00.000Z', false],
    ['2026-03-08T07:15:00.000Z', '2026-03-08T07:15:00.000Z', true],
    ['2026-03-08T07:29:00.000Z', '2026-03-08T07:15:00.000Z', false],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:45:00.000Z', false],
    ['1969-12-31T23:59:59.999Z', '1969-12-31T23:45:00.000Z', false],
  ])('%s falls in the bucket starting %s (a boundary itself: %s)', (instant, bucket, boundary) => {
    expect(iso(bucket15Of(at(instant)))).toBe(bucket);
    expect(isBucket15Boundary(at(instant))).toBe(boundary);
    expect(isBucket15Boundary(bucket15Of(at(instant)))).toBe(true);
  });
});

describe('periods: hand-checked cuts', () => {
  it.each([
    // New York: 2026-03-08 02:00 EST -> 03:00 EDT at 07:00Z; the 02:00 hour does not exist.
    [
      'America/New_York',
      'hour',
      '2026-03-08T05:00Z',
      '2026-03-08T09:00Z',
      [
        ['2026-03-08T05:00Z', '2026-03-08T06:00Z'], // 00:00 EST
        ['2026-03-08T06:00Z', '2026-03-08T07:00Z'], // 01:00 EST
        ['2026-03-08T07:00Z', '2026-03-08T08:00Z'], // 03:00 EDT
        ['2026-03-08T08:00Z', '2026-03-08T09:00Z'], // 04:00 EDT
      ],
    ],
    [
      'America/New_York',
      '15m',
      '2026-03-08T06:30Z',
      '2026-03-08T07:30Z',
      [
        ['2026-03-08T06:30Z', '2026-03-08T06:45Z'],
        ['2026-03-08T06:45Z', '2026-03-08T07:00Z'],
        ['2026-03-08T07:00Z', '2026-03-08T07:15Z'], // 03:00 EDT follows 01:45 EST
        ['2026-03-08T07:15Z', '2026-03-08T07:30Z'],
      ],
    ],
    // A 23-hour day: 00:00 EST to the next 00:00 EDT.
    ['America/New_York', 'day', '2026-03-08T12:00Z', '2026-03-08T12:01Z', [['2026-03-08T05:00Z', '2026-03-09T04:00Z']]],
    // New York: 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z; the 01:00 hour is two periods, one per offset.
    [
      'America/New_York',
      'hour',
      '2026-11-01T04:00Z',
      '2026-11-01T08:00Z',
      [
        ['2026-11-01T04:00Z', '2026-11-01T05:00Z'], // 00:00 EDT
        ['2026-11-01T05:00Z', '2026-11-01T06:00Z'], // 01:00 EDT
        ['2026-11-01T06:00Z', '2026-11-01T07:00Z'], // 01:00 EST
        ['2026-11-01T07:00Z', '2026-11-01T08:00Z'], // 02:00 EST
      ],
    ],
    [
      'America/New_York',
      '30m',
      '2026-11-01T05:00Z',
      '2026-11-01T07:00Z',
      [
        ['2026-11-01T05:00Z', '2026-11-01T05:30Z'],
        ['2026-11-01T05:30Z', '2026-11-01T06:00Z'],
        ['2026-11-01T06:00Z', '2026-11-01T06:30Z'],
        ['2026-11-01T06:30Z', '2026-11-01T07:00Z'],
      ],
    ],
    // A 25-hour day: 00:00 EDT to the next 00:00 EST.
    ['America/New_York', 'day', '2026-11-01T12:00Z', '2026-11-01T12:01Z', [['2026-11-01T04:00Z', '2026-11-02T05:00Z']]],
    // The ISO week of the spring forward: Monday 2 March 00:00 EST to Monday 9 March 00:00 EDT (7 days less 1 h).
    ['America/New_York', 'week', '2026-03-08T12:00Z', '2026-03-08T12:01Z', [['2026-03-02T05:00Z', '2026-03-09T04:00Z']]],
    // London: 2026-03-29 01:00 GMT -> 02:00 BST at 01:00Z.
    [
      'Europe/London',
      'hour',
      '2026-03-29T00:00Z',
      '2026-03-29T03:00Z',
      [
        ['2026-03-29T00:00Z', '2026-03-29T01:00Z'], // 00:00 GMT
        ['2026-03-29T01:00Z', '2026-03-29T02:00Z'], // 02:00 BST
        ['2026-03-29T02:00Z', '2026-03-29T03:00Z'], // 03:00 BST
      ],
    ],
    ['Europe/London', 'day', '2026-03-29T12:00Z', '2026-03-29T12:01Z', [['2026-03-29T00:00Z', '2026-03-29T23:00Z']]],
    // London: 2026-10-25 02:00 BST -> 01:00 GMT at 01:00Z.
    [
      'Europe/London',
      'hour',
      '2026-10-24T23:00Z',
      '2026-10-25T02:00Z',
      [
        ['2026-10-24T23:00Z', '2026-10-25T00:00Z'], // 00:00 BST
        ['2026-10-25T00:00Z', '2026-10-25T01:00Z'], // 01:00 BST
        ['2026-10-25T01:00Z', '2026-10-25T02:00Z'], // 01:00 GMT
      ],
    ],
    ['Europe/London', 'day', '2026-10-25T12:00Z', '2026-10-25T12:01Z', [['2026-10-24T23:00Z', '2026-10-26T00:00Z']]],
    // Monday 19 October 00:00 BST to Monday 26 October 00:00 GMT: 7 days and 1 h.
    ['Europe/London', 'week', '2026-10-25T00:00Z', '2026-10-25T00:01Z', [['2026-10-18T23:00Z', '2026-10-26T00:00Z']]],
    // Months in London: 31-day January, 28-day February, March one hour short (BST from the 29th), April in BST.
    [
      'Europe/London',
      'month',
      '2026-01-15T00:00Z',
      '2026-04-02T00:00Z',
      [
        ['2026-01-01T00:00Z', '2026-02-01T00:00Z'],
        ['2026-02-01T00:00Z', '2026-03-01T00:00Z'],
        ['2026-03-01T00:00Z', '2026-03-31T23:00Z'],
        ['2026-03-31T23:00Z', '2026-04-30T23:00Z'],
      ],
    ],
    // Kathmandu (+5:45, no DST): hours start at :15 UTC, half hours at :15/:45, quarters on the UTC quarter.
    [
      'Asia/Kathmandu',
      'hour',
      '2026-06-01T00:00Z',
      '2026-06-01T01:00Z',
      [
        ['2026-05-31T23:15Z', '2026-06-01T00:15Z'], // 05:00
        ['2026-06-01T00:15Z', '2026-06-01T01:15Z'], // 06:00
      ],
    ],
    [
      'Asia/Kathmandu',
      '30m',
      '2026-06-01T00:00Z',
      '2026-06-01T00:50Z',
      [
        ['2026-05-31T23:45Z', '2026-06-01T00:15Z'], // 05:30
        ['2026-06-01T00:15Z', '2026-06-01T00:45Z'], // 06:00
        ['2026-06-01T00:45Z', '2026-06-01T01:15Z'], // 06:30
      ],
    ],
    [
      'Asia/Kathmandu',
      '15m',
      '2026-06-01T00:05Z',
      '2026-06-01T00:20Z',
      [
        ['2026-06-01T00:00Z', '2026-06-01T00:15Z'], // 05:45
        ['2026-06-01T00:15Z', '2026-06-01T00:30Z'], // 06:00
      ],
    ],
    ['Asia/Kathmandu', 'day', '2026-06-01T00:00Z', '2026-06-01T00:01Z', [['2026-05-31T18:15Z', '2026-06-01T18:15Z']]],
    ['Asia/Kathmandu', 'month', '2026-02-10T00:00Z', '2026-02-10T00:01Z', [['2026-01-31T18:15Z', '2026-02-28T18:15Z']]],
    // Lord Howe: 2026-04-05 02:00 +11 -> 01:30 +10:30 at 15:00Z; the 01:30-02:00 half hour is lived twice.
    [
      'Australia/Lord_Howe',
      'hour',
      '2026-04-04T13:00Z',
      '2026-04-04T16:30Z',
      [
        ['2026-04-04T13:00Z', '2026-04-04T14:00Z'], // 00:00 +11
        ['2026-04-04T14:00Z', '2026-04-04T15:00Z'], // 01:00 +11
        ['2026-04-04T15:00Z', '2026-04-04T15:30Z'], // 01:30 +10:30, the rest of the 01:00 hour
        ['2026-04-04T15:30Z', '2026-04-04T16:30Z'], // 02:00 +10:30
      ],
    ],
    [
      'Australia/Lord_Howe',
      '30m',
      '2026-04-04T14:30Z',
      '2026-04-04T15:30Z',
      [
        ['2026-04-04T14:30Z', '2026-04-04T15:00Z'], // 01:30 +11
        ['2026-04-04T15:00Z', '2026-04-04T15:30Z'], // 01:30 +10:30
      ],
    ],
    // A 24.5-hour day.
    ['Australia/Lord_Howe', 'day', '2026-04-05T00:00Z', '2026-04-05T00:01Z', [['2026-04-04T13:00Z', '2026-04-05T13:30Z']]],
    // Lord Howe: 2026-10-04 02:00 +10:30 -> 02:30 +11 at 15:30Z; 02:00-02:30 does not exist.
    [
      'Australia/Lord_Howe',
      'hour',
      '2026-10-03T14:30Z',
      '2026-10-03T17:00Z',
      [
        ['2026-10-03T14:30Z', '2026-10-03T15:30Z'], // 01:00 +10:30
        ['2026-10-03T15:30Z', '2026-10-03T16:00Z'], // 02:30 +11, what exists of the 02:00 hour
        ['2026-10-03T16:00Z', '2026-10-03T17:00Z'], // 03:00 +11
      ],
    ],
    [
      'Australia/Lord_Howe',
      '30m',
      '2026-10-03T15:00Z',
      '2026-10-03T16:30Z',
      [
        ['2026-10-03T15:00Z', '2026-10-03T15:30Z'], // 01:30 +10:30
        ['2026-10-03T15:30Z', '2026-10-03T16:00Z'], // 02:30 +11
        ['2026-10-03T16:00Z', '2026-10-03T16:30Z'], // 03:00 +11
      ],
    ],
    // A 23.5-hour day.
    ['Australia/Lord_Howe', 'day', '2026-10-04T00:00Z', '2026-10-04T00:01Z', [['2026-10-03T13:30Z', '2026-10-04T13:00Z']]],
    // ISO weeks across the year boundary: Monday 2026-12-28 to Monday 2027-01-04.
    [
      'UTC',
      'week',
      '2026-12-31T00:00Z',
      '2027-01-05T00:00Z',
      [
        ['2026-12-28T00:00Z', '2027-01-04T00:00Z'],
        ['2027-01-04T00:00Z', '2027-01-11T00:00Z'],
      ],
    ],
    ['America/New_York', 'week', '2027-01-01T12:00Z', '2027-01-01T12:01Z', [['2026-12-28T05:00Z', '2027-01-04T05:00Z']]],
    // Sunday 2027-01-03 23:30 in New York is still the week of 28 December, though UTC is already on Monday.
    ['America/New_York', 'week', '2027-01-04T04:30Z', '2027-01-04T04:31Z', [['2026-12-28T05:00Z', '2027-01-04T05:00Z']]],
    // Months in UTC: 31-day January, 28-day February 2026, 29-day February 2028, a 31-day December across the year.
    [
      'UTC',
      'month',
      '2026-01-31T23:59Z',
      '2026-02-01T00:01Z',
      [
        ['2026-01-01T00:00Z', '2026-02-01T00:00Z'],
        ['2026-02-01T00:00Z', '2026-03-01T00:00Z'],
      ],
    ],
    ['UTC', 'month', '2028-02-29T12:00Z', '2028-02-29T12:01Z', [['2028-02-01T00:00Z', '2028-03-01T00:00Z']]],
    ['UTC', 'month', '2026-12-31T23:59Z', '2027-01-01T00:00Z', [['2026-12-01T00:00Z', '2027-01-01T00:00Z']]],
    [
      'UTC',
      'hour',
      '2026-06-01T10:20Z',
      '2026-06-01T12:00Z',
      [
        ['2026-06-01T10:00Z', '2026-06-01T11:00Z'],
        ['2026-06-01T11:00Z', '2026-06-01T12:00Z'],
      ],
    ],
    ['UTC', 'day', '2026-06-01T00:00Z', '2026-06-02T00:00Z', [['2026-06-01T00:00Z', '2026-06-02T00:00Z']]],
    // total: exactly the range, not rounded.
    ['Asia/Kathmandu', 'total', '2026-06-01T00:07Z', '2026-06-03T10:01Z', [['2026-06-01T00:07Z', '2026-06-03T10:01Z']]],
  ] as const)('%s %s over [%s, %s)', (zone, interval, from, to, cuts) => {
    const list = periods(at(from), at(to), interval, zone);
    expect(shown(list)).toEqual(expected(cuts));
    expect(countPeriods(at(from), at(to), interval, zone)).toBe(cuts.length);
  });

  it('an empty or reversed range has no periods', () => {
    for (const interval of INTERVALS) {
      expect(periods(at('2026-06-01T00:00Z'), at('2026-06-01T00:00Z'), interval, 'UTC')).toEqual([]);
      expect(periods(at('2026-06-02T00:00Z'), at('2026-06-01T00:00Z'), interval, 'UTC')).toEqual([]);
      expect(countPeriods(at('2026-06-02T00:00Z'), at('2026-06-01T00:00Z'), interval, 'UTC')).toBe(0);
    }
  });

  it('refuses an unknown zone, an instant that is not a number, and a period of "total" without a range', () => {
    expect(() => periods(0, HOUR, 'hour', 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => periodOf(Number.NaN, 'day', 'UTC')).toThrow(RangeError);
    expect(() => countPeriods(0, Number.POSITIVE_INFINITY, 'day', 'UTC')).toThrow(RangeError);
    expect(() => periodOf(0, 'total' as CalendarInterval, 'UTC')).toThrow(RangeError);
  });
});

describe('periodOf: hand-checked instants', () => {
  it.each([
    ['America/New_York', 'hour', '2026-11-01T05:59:59.999Z', '2026-11-01T05:00Z', '2026-11-01T06:00Z'], // 01:59 EDT
    ['America/New_York', 'hour', '2026-11-01T06:00:00.000Z', '2026-11-01T06:00Z', '2026-11-01T07:00Z'], // 01:00 EST
    ['America/New_York', 'hour', '2026-03-08T07:00:00.000Z', '2026-03-08T07:00Z', '2026-03-08T08:00Z'], // 03:00 EDT
    ['America/New_York', 'day', '2026-03-09T03:59:59.999Z', '2026-03-08T05:00Z', '2026-03-09T04:00Z'],
    ['America/New_York', 'month', '2026-03-01T04:59:59.999Z', '2026-02-01T05:00Z', '2026-03-01T05:00Z'], // Feb 28 23:59 EST
    ['America/New_York', 'month', '2026-11-15T00:00:00.000Z', '2026-11-01T04:00Z', '2026-12-01T05:00Z'], // begins in EDT
    ['Europe/London', '15m', '2026-10-25T01:10:00.000Z', '2026-10-25T01:00Z', '2026-10-25T01:15Z'], // 01:10 GMT
    ['Asia/Kathmandu', 'week', '2026-06-07T18:15:00.000Z', '2026-06-07T18:15Z', '2026-06-14T18:15Z'], // Mon 8 June 00:00
    ['Asia/Kathmandu', 'week', '2026-06-07T18:14:59.999Z', '2026-05-31T18:15Z', '2026-06-07T18:15Z'], // Sun 23:59
    ['Australia/Lord_Howe', '15m', '2026-04-04T15:00:00.000Z', '2026-04-04T15:00Z', '2026-04-04T15:15Z'], // 01:30 +10:30
    ['Australia/Lord_Howe', 'hour', '2026-04-04T15:29:59.999Z', '2026-04-04T15:00Z', '2026-04-04T15:30Z'],
    ['Australia/Lord_Howe', 'week', '2026-04-05T00:00:00.000Z', '2026-03-29T13:00Z', '2026-04-05T13:30Z'], // Sunday 5 April
    ['UTC', 'week', '2026-01-01T00:00:00.000Z', '2025-12-29T00:00Z', '2026-01-05T00:00Z'],
  ] as const)('%s %s: %s lies in [%s, %s)', (zone, interval, instant, start, end) => {
    const p = periodOf(at(instant), interval, zone);
    expect([iso(p.start), iso(p.end)]).toEqual([iso(at(start)), iso(at(end))]);
  });

  it('finds the period of each 15-minute bucket of 400 days with a few hundred Intl lookups (cached per zone)', () => {
    // A zone no other test here uses, so its table starts cold.
    const zone = 'America/Denver';
    const from = at('2025-06-01T00:00Z');
    const before = intlOffsetLookups();
    let last = Number.NEGATIVE_INFINITY;
    for (let bucket = from; bucket < from + 400 * DAY; bucket += BUCKET_MS) {
      for (const interval of CALENDAR) last = Math.max(last, periodOf(bucket, interval, zone).end);
    }
    const lookups = intlOffsetLookups() - before;
    // 6 × 38,400 calls; ~430 UTC days (months reach past the range) plus ~17 per transition (3 in range).
    expect(lookups).toBeLessThan(600);
    expect(iso(last)).toBe('2026-08-01T06:00:00.000Z');
  });
});

describe('periodIndex and toLocalIso', () => {
  it('finds the period of an instant in a list, or -1 outside it', () => {
    const list = periods(at('2026-11-01T04:00Z'), at('2026-11-01T08:00Z'), 'hour', 'America/New_York');
    expect(periodIndex(list, at('2026-11-01T03:59:59.999Z'))).toBe(-1);
    expect(periodIndex(list, at('2026-11-01T04:00Z'))).toBe(0);
    expect(periodIndex(list, at('2026-11-01T06:00Z'))).toBe(2);
    expect(periodIndex(list, at('2026-11-01T07:59:59.999Z'))).toBe(3);
    expect(periodIndex(list, at('2026-11-01T08:00Z'))).toBe(-1);
    expect(periodIndex([], 0)).toBe(-1);
  });

  it.each([
    ['2026-11-01T05:00:00.000Z', 'America/New_York', '2026-11-01T01:00:00-04:00'],
    ['2026-11-01T06:00:00.000Z', 'America/New_York', '2026-11-01T01:00:00-05:00'],
    ['2026-04-04T15:00:00.000Z', 'Australia/Lord_Howe', '2026-04-05T01:30:00+10:30'],
    ['2026-06-01T00:00:00.000Z', 'Asia/Kathmandu', '2026-06-01T05:45:00+05:45'],
    ['2026-06-01T00:00:00.123Z', 'UTC', '2026-06-01T00:00:00.123+00:00'],
  ])('%s in %s reads %s', (instant, zone, local) => {
    expect(toLocalIso(at(instant), zone)).toBe(local);
  });
});

/** The ISO week's Monday of a local date, as a day number: written apart from the module's own arithmetic. */
function mondayOf(year: number, month: number, day: number): number {
  const date = new Date(Date.UTC(year, month - 1, day));
  return Date.UTC(year, month - 1, day - ((date.getUTCDay() + 6) % 7)) / DAY;
}

/**
 * Which period each 15-minute bucket belongs to, read straight from Intl at the bucket's start (no cache): the
 * local quarter/half/hour with the offset (a repeated hour is a different period), the date, the ISO week, the month.
 */
function oracleKeys(instant: number, zone: string): Record<CalendarInterval, string> {
  const p = localParts(instant, zone);
  const offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
  const date = `${p.year}-${p.month}-${p.day}`;
  return {
    '15m': `${date} ${p.hour}:${Math.floor(p.minute / 15)} ${offset}`,
    '30m': `${date} ${p.hour}:${Math.floor(p.minute / 30)} ${offset}`,
    hour: `${date} ${p.hour} ${offset}`,
    day: date,
    week: String(mondayOf(p.year, p.month, p.day)),
    month: `${p.year}-${p.month}`,
  };
}

describe('every period of 2024-2026 against Intl, bucket by bucket', () => {
  const from = at('2024-01-01T00:00Z');
  const to = at('2027-01-01T00:00Z');

  it.each(['America/New_York', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC'])(
    '%s: boundaries are 15-minute UTC boundaries and are exactly where the local period changes',
    (zone) => {
      const lists = Object.fromEntries(CALENDAR.map((i) => [i, periods(from, to, i, zone)])) as Record<
        CalendarInterval,
        Period[]
      >;
      // Months reach furthest outward; read Intl one bucket beyond on each side, so the outer boundaries are checked too.
      const first = Math.min(...CALENDAR.map((i) => (lists[i][0] as Period).start)) - BUCKET_MS;
      const last = Math.max(...CALENDAR.map((i) => (lists[i].at(-1) as Period).end)) + BUCKET_MS;
      const changes = Object.fromEntries(CALENDAR.map((i) => [i, [] as number[]])) as Record<CalendarInterval, number[]>;
      let previous = oracleKeys(first, zone);
      for (let bucket = first + BUCKET_MS; bucket <= last; bucket += BUCKET_MS) {
        const keys = oracleKeys(bucket, zone);
        for (const i of CALENDAR) if (keys[i] !== previous[i]) changes[i].push(bucket);
        previous = keys;
      }
      for (const interval of CALENDAR) {
        const list = lists[interval];
        const boundaries = [...list.map((p) => p.start), (list.at(-1) as Period).end];
        expect(boundaries.every(isBucket15Boundary), `${interval}: a boundary off the 15-minute grid`).toBe(true);
        const lo = boundaries[0] as number;
        const hi = boundaries.at(-1) as number;
        expect(boundaries.map(iso), interval).toEqual(changes[interval].filter((b) => b >= lo && b <= hi).map(iso));
        expect(countPeriods(from, to, interval, zone), interval).toBe(list.length);
      }
      // The live view's startOfLocalDay (zones.ts) agrees with the day periods.
      for (const p of lists.day) expect(iso(startOfLocalDay(p.start + HOUR, zone).start)).toBe(iso(p.start));
    },
  );
});

describe('properties over random ranges, zones and intervals', () => {
  const zones = [
    'America/New_York',
    'Europe/London',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'UTC',
    'America/St_Johns', // -3:30 with DST
    'Pacific/Chatham', // +12:45 / +13:45
    'Australia/Eucla', // +8:45
    'America/Santiago', // changes at local midnight: a day starting at 01:00
    'America/Havana', // changes at local midnight too
    'Asia/Kolkata',
    'Pacific/Kiritimati', // +14
  ];
  const maxDays: Record<Interval, number> = { '15m': 20, '30m': 40, hour: 60, day: 400, week: 400, month: 400, total: 400 };
  const start2024 = at('2024-01-01T00:00Z');
  const end2026 = at('2027-01-01T00:00Z');
  // Half the ranges start near a transition, where the cuts are interesting.
  const transitions = (zone: string) =>
    offsetsOf(zone)
      .transitionsIn(start2024, end2026)
      .map((t) => t.at);

  const caseArb = fc
    .record({
      zone: fc.constantFrom(...zones),
      interval: fc.constantFrom(...INTERVALS),
      anchor: fc.nat(),
      nearTransition: fc.boolean(),
      shift: fc.integer({ min: -3 * DAY, max: 3 * DAY }),
      uniform: fc.double({ min: start2024, max: end2026, noNaN: true }).map(Math.floor),
      lengthFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      probes: fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1, maxLength: 20 }),
    })
    .map((c) => {
      const near = transitions(c.zone);
      const from = c.nearTransition && near.length > 0 ? (near[c.anchor % near.length] as number) + c.shift : c.uniform;
      const to = from + 1 + Math.floor(c.lengthFraction * maxDays[c.interval] * DAY);
      return { ...c, from, to };
    });

  it('periods are contiguous, cover the range, sit on the 15-minute grid, start at a local boundary, and contain what periodOf says', () => {
    fc.assert(
      fc.property(caseArb, ({ zone, interval, from, to, probes }) => {
        const list = periods(from, to, interval, zone);
        expect(list.length).toBeGreaterThan(0);
        expect(countPeriods(from, to, interval, zone)).toBe(list.length);
        const head = list[0] as Period;
        const tail = list.at(-1) as Period;
        if (interval === 'total') {
          expect(list).toEqual([{ start: from, end: to }]);
          return;
        }
        // Rounded outward: the first period holds `from`, the last holds the range's last millisecond.
        expect(head.start <= from && from < head.end).toBe(true);
        expect(tail.start < to && to <= tail.end).toBe(true);
        list.forEach((p, k) => {
          expect(p.start).toBeLessThan(p.end);
          if (k > 0) expect(p.start).toBe((list[k - 1] as Period).end);
          expect(isBucket15Boundary(p.start) && isBucket15Boundary(p.end)).toBe(true);
          expectLocalBoundary(p, interval, zone);
        });
        for (const probe of probes) {
          const x = head.start + Math.floor(probe * (tail.end - head.start));
          const p = periodOf(x, interval, zone);
          expect(p.start <= x && x < p.end).toBe(true);
          expect(p).toEqual(list[periodIndex(list, x)]);
        }
      }),
      { seed: 20261129, numRuns: 150 },
    );
  });
});

/**
 * A period starts where its local clock says it should (or at an offset change: the end of a gap, the second pass
 * of a repeated hour) and is no longer than its interval allows.
 */
function expectLocalBoundary(p: Period, interval: CalendarInterval, zone: string): void {
  const local = localParts(p.start, zone);
  // Straight from Intl, not through the cached table the module uses.
  const atTransition = zoneOffsetMs(p.start - 1000, zone) !== zoneOffsetMs(p.start, zone);
  const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
  const aligned = {
    '15m': local.minute % 15 === 0,
    '30m': local.minute % 30 === 0,
    hour: local.minute === 0,
    day: local.hour === 0 && local.minute === 0,
    week: local.hour === 0 && local.minute === 0 && weekday === 1,
    month: local.hour === 0 && local.minute === 0 && local.day === 1,
  }[interval];
  expect(aligned || atTransition, `${zone} ${interval} starting ${toLocalIso(p.start, zone)}`).toBe(true);
  const length = p.end - p.start;
  const [min, max] = {
    '15m': [1, 15 * MIN],
    '30m': [1, 30 * MIN],
    hour: [1, HOUR],
    day: [22 * HOUR, 26 * HOUR],
    week: [7 * DAY - 2 * HOUR, 7 * DAY + 2 * HOUR],
    month: [28 * DAY - 2 * HOUR, 31 * DAY + 2 * HOUR],
  }[interval];
  expect(length >= (min as number) && length <= (max as number), `${zone} ${interval} of ${length / MIN} min`).toBe(true);
}
