import { describe, expect, it } from 'vitest';
import { intlOffsetLookups, offsetsOf, startOfDate, startOfLocalDay, zoneOffsetMs } from './zones';

describe('time zones', () => {
  it.each([
    // instant, zone, expected local midnight (UTC ISO), local date
    ['2026-11-23T10:00:00Z', 'UTC', '2026-11-23T00:00:00.000Z', '2026-11-23'],
    ['2026-11-23T10:00:00Z', 'Europe/Prague', '2026-11-22T23:00:00.000Z', '2026-11-23'],
    ['2026-11-23T23:30:00Z', 'Europe/Prague', '2026-11-23T23:00:00.000Z', '2026-11-24'],
    ['2026-11-23T03:00:00Z', 'America/New_York', '2026-11-22T05:00:00.000Z', '2026-11-22'],
    // DST: Prague moved to CEST on 2026-03-29 at 02:00; that day began at 23:00Z on the 28th.
    ['2026-03-29T12:00:00Z', 'Europe/Prague', '2026-03-28T23:00:00.000Z', '2026-03-29'],
    ['2026-03-30T12:00:00Z', 'Europe/Prague', '2026-03-29T22:00:00.000Z', '2026-03-30'],
    ['2026-11-23T10:00:00Z', 'Asia/Kolkata', '2026-11-22T18:30:00.000Z', '2026-11-23'],
  ])('%s in %s: the day began at %s', (instant, zone, start, date) => {
    const r = startOfLocalDay(Date.parse(instant), zone);
    expect(new Date(r.start).toISOString()).toBe(start);
    expect(r.date).toBe(date);
  });

  it('offsets are multiples of 15 minutes', () => {
    for (const zone of ['Asia/Kathmandu', 'Australia/Eucla', 'America/St_Johns', 'Pacific/Chatham']) {
      expect(Math.abs(zoneOffsetMs(Date.parse('2026-06-01T00:00:00Z'), zone)) % (15 * 60_000)).toBe(0);
    }
  });

  it.each([
    // zone, transitions in 2026 as [instant, offset in minutes after it]
    [
      'America/New_York',
      [
        ['2026-03-08T07:00:00.000Z', -240],
        ['2026-11-01T06:00:00.000Z', -300],
      ],
    ],
    [
      'Europe/London',
      [
        ['2026-03-29T01:00:00.000Z', 60],
        ['2026-10-25T01:00:00.000Z', 0],
      ],
    ],
    [
      'Australia/Lord_Howe',
      [
        ['2026-04-04T15:00:00.000Z', 630],
        ['2026-10-03T15:30:00.000Z', 660],
      ],
    ],
    ['Asia/Kathmandu', []],
    ['UTC', []],
  ] as const)('the cached table finds the 2026 transitions of %s to the second', (zone, expected) => {
    const table = offsetsOf(zone);
    const found = table.transitionsIn(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'));
    expect(found.map((t) => [new Date(t.at).toISOString(), t.offsetMs / 60_000])).toEqual(expected);
    for (const t of found) {
      expect(table.offsetAt(t.at)).toBe(t.offsetMs);
      expect(table.offsetAt(t.at - 1)).toBe(zoneOffsetMs(t.at - 1000, zone));
    }
  });

  it('answers offsets from the cache once a day is known', () => {
    const table = offsetsOf('Europe/Prague');
    const day = Date.parse('2026-03-29T00:00:00Z');
    table.offsetAt(day);
    const before = intlOffsetLookups();
    for (let t = day; t < day + 86_400_000; t += 60_000) {
      expect(table.offsetAt(t)).toBe(t < Date.parse('2026-03-29T01:00:00Z') ? 3_600_000 : 7_200_000);
    }
    expect(intlOffsetLookups()).toBe(before);
    expect(() => offsetsOf('Not/A_Zone')).toThrow(RangeError);
  });

  it.each([
    ['2026-03-01', 'UTC', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01', 'Europe/Prague', '2026-02-28T23:00:00.000Z'],
    // The days DST begins and ends: midnight is still an hour before or after UTC's as the day begins.
    ['2026-03-29', 'Europe/Prague', '2026-03-28T23:00:00.000Z'],
    ['2026-10-25', 'Europe/Prague', '2026-10-24T22:00:00.000Z'],
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-01-01', 'Pacific/Kiritimati', '2025-12-31T10:00:00.000Z'],
    ['2026-01-01', 'Pacific/Pago_Pago', '2026-01-01T11:00:00.000Z'],
    // Where a DST change happens at midnight, the day begins at 01:00 (Santiago, 6 Sep 2026).
    ['2026-09-06', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
  ])('startOfDate(%s, %s) is %s', (date, zone, iso) => {
    expect(new Date(startOfDate(date, zone)).toISOString()).toBe(iso);
  });

  it('a day that begins at 01:00 because the clocks jump at midnight begins then, not an hour before (Santiago)', () => {
    // Chile moves to summer time at 04:00 UTC on 6 Sep 2026: 00:00 local (-04) becomes 01:00 (-03).
    const { start, date } = startOfLocalDay(Date.parse('2026-09-06T12:00:00Z'), 'America/Santiago');
    expect([new Date(start).toISOString(), date]).toEqual(['2026-09-06T04:00:00.000Z', '2026-09-06']);
    // And back on 5 Apr 2026 at 03:00 UTC: 00:00 local (-03) becomes 23:00 of the day before (-04), so Sunday begins at 04:00 UTC.
    const back = startOfLocalDay(Date.parse('2026-04-05T12:00:00Z'), 'America/Santiago');
    expect(new Date(back.start).toISOString()).toBe('2026-04-05T04:00:00.000Z');
  });
});
