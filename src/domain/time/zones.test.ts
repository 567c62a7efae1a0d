import { describe, expect, it } from 'vitest';
import { startOfLocalDay, zoneOffsetMs } from './zones';

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
});
