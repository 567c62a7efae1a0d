import { describe, expect, it } from 'vitest';
import { localParts } from '../time/zones';
import { prng } from './test-records';
import { type TimedCount, type VolumeProfile, volumeProfile } from './volume-profile';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const ones = (...instants: string[]): TimedCount[] => instants.map((i) => ({ at: at(i), count: 1 }));
const cell = (p: VolumeProfile, weekday: number, hour: number) => {
  const c = p.cells.find((x) => x.weekday === weekday && x.hour === hour);
  if (!c) throw new Error(`no cell ${weekday} ${hour}`);
  return c;
};

describe('volume profile: hand-computed', () => {
  it('one UTC week: 168 cells of one hour each, instants and 15-minute buckets counted alike', () => {
    const p = volumeProfile({
      from: at('2026-11-02T00:00Z'), // a Monday
      to: at('2026-11-09T00:00Z'),
      timeZone: 'UTC',
      counts: [
        ...ones('2026-11-02T09:00Z', '2026-11-02T09:14:59Z', '2026-11-02T09:59:59.999Z', '2026-11-02T10:00Z'),
        { at: at('2026-11-03T09:45Z'), count: 2 }, // a bucket of two, Tuesday
        { at: at('2026-11-08T23:45Z'), count: 1 }, // Sunday's last bucket
      ],
    });
    expect(p.cells).toHaveLength(168);
    expect(p.cells[0]).toEqual({ weekday: 1, hour: 0, count: 0, hours: 1, perHour: 0 });
    expect(p.cells[167]).toEqual({ weekday: 7, hour: 23, count: 1, hours: 1, perHour: 1 });
    expect(p.cells.every((c) => c.hours === 1)).toBe(true);
    expect(cell(p, 1, 9)).toMatchObject({ count: 3, perHour: 3 });
    expect(cell(p, 1, 10)).toMatchObject({ count: 1 });
    expect(cell(p, 2, 9)).toMatchObject({ count: 2 });
    expect(p.total).toEqual({ count: 7, hours: 168, perHour: 7 / 168 });
    expect(p.peak).toMatchObject({ weekday: 1, hour: 9, perHour: 3 });
    // The quietest hour averaged 0: the first such cell, and no ratio (it would be infinite).
    expect(p.trough).toMatchObject({ weekday: 1, hour: 0, perHour: 0 });
    expect(p.peakToTroughRatio).toBeNull();
    expect(p.byHourOfDay.rows[9]).toEqual({ hour: 9, count: 5, hours: 7, perHour: 5 / 7 });
    expect(p.byHourOfDay.peak).toMatchObject({ hour: 9 });
    expect(p.byWeekday.rows[0]).toEqual({ weekday: 1, count: 4, hours: 24, perHour: 4 / 24 });
    expect(p.byWeekday.rows[6]).toMatchObject({ weekday: 7, count: 1 });
    expect(p.byWeekday.peak).toMatchObject({ weekday: 1 });
    expect(p.byWeekday.trough).toMatchObject({ weekday: 3, perHour: 0 });
    expect(p.status).toBe('complete');
  });

  it('peak and trough compare averages per hour, not counts: 10 days give some weekdays two hours', () => {
    const p = volumeProfile({
      from: at('2026-11-02T00:00Z'),
      to: at('2026-11-12T00:00Z'), // Monday to Thursday of the next week: Mon, Tue, Wed twice
      timeZone: 'UTC',
      counts: [
        { at: at('2026-11-02T08:00Z'), count: 2 },
        { at: at('2026-11-09T08:15Z'), count: 2 },
        { at: at('2026-11-07T08:30Z'), count: 3 }, // Saturday
        ...ones(...Array.from({ length: 168 + 72 }, (_, h) => iso(at('2026-11-02T00:00Z') + h * HOUR))), // one each hour
      ],
    });
    expect(cell(p, 1, 8)).toEqual({ weekday: 1, hour: 8, count: 6, hours: 2, perHour: 3 });
    expect(cell(p, 6, 8)).toEqual({ weekday: 6, hour: 8, count: 4, hours: 1, perHour: 4 });
    expect(cell(p, 4, 8)).toMatchObject({ count: 1, hours: 1 });
    expect(p.peak).toMatchObject({ weekday: 6, hour: 8, perHour: 4 });
    expect(p.trough).toMatchObject({ weekday: 1, hour: 0, perHour: 1 });
    expect(p.peakToTroughRatio).toBe(4);
    expect(p.byHourOfDay.rows[8]).toEqual({ hour: 8, count: 17, hours: 10, perHour: 1.7 });
    expect(p.byHourOfDay.trough).toMatchObject({ hour: 0, perHour: 1 });
    expect(p.byHourOfDay.peakToTroughRatio).toBeCloseTo(1.7, 12);
    expect(p.total).toMatchObject({ count: 247, hours: 240 });
  });

  it('rounds the range outward to whole local hours, ignores counts outside it, and leaves unseen hours null', () => {
    const p = volumeProfile({
      from: at('2026-11-02T09:20Z'),
      to: at('2026-11-02T10:40Z'),
      timeZone: 'UTC',
      counts: [
        ...ones('2026-11-02T09:00Z', '2026-11-02T09:05Z', '2026-11-02T09:59Z', '2026-11-02T10:59:59.999Z'),
        ...ones('2026-11-02T08:59:59.999Z', '2026-11-02T11:00Z', '2026-11-09T09:30Z'),
      ],
    });
    expect([iso(p.from), iso(p.to)]).toEqual(['2026-11-02T09:00:00.000Z', '2026-11-02T11:00:00.000Z']);
    expect(cell(p, 1, 9)).toMatchObject({ count: 3, hours: 1, perHour: 3 });
    expect(cell(p, 1, 10)).toMatchObject({ count: 1, hours: 1, perHour: 1 });
    expect(cell(p, 1, 8)).toEqual({ weekday: 1, hour: 8, count: 0, hours: 0, perHour: null });
    expect(p.total.count).toBe(4);
    expect(p.peakToTroughRatio).toBe(3);
    // A weekday with no hours in the range has no average, so only Monday competes.
    expect(p.byWeekday.rows[1]).toEqual({ weekday: 2, count: 0, hours: 0, perHour: null });
    expect(p.byWeekday.peak).toBe(p.byWeekday.trough);
    expect(p.byWeekday.peakToTroughRatio).toBe(1);
  });

  it('an empty range has no hours, no peak and no trough', () => {
    const p = volumeProfile({ from: at('2026-11-02T09:00Z'), to: at('2026-11-02T09:00Z'), timeZone: 'UTC', counts: [] });
    expect(p.total).toEqual({ count: 0, hours: 0, perHour: null });
    expect(p.peak).toBeNull();
    expect(p.trough).toBeNull();
    expect(p.peakToTroughRatio).toBeNull();
  });

  it('hours after `asOf` are not counted yet, and the profile is partial', () => {
    const p = volumeProfile({
      from: at('2026-11-02T09:00Z'),
      to: at('2026-11-02T12:00Z'),
      timeZone: 'UTC',
      counts: ones('2026-11-02T09:10Z', '2026-11-02T10:10Z'),
      asOf: at('2026-11-02T10:30Z'),
    });
    expect(cell(p, 1, 9)).toMatchObject({ count: 1, hours: 1 });
    expect(cell(p, 1, 10)).toMatchObject({ count: 1, hours: 0.5, perHour: 2 });
    expect(cell(p, 1, 11)).toMatchObject({ count: 0, hours: 0, perHour: null });
    expect(p.status).toBe('partial');
    expect(volumeProfile({ from: p.from, to: p.to, timeZone: 'UTC', counts: [], asOf: p.to }).status).toBe('complete');
    // A visit still waiting may yet be answered or abandoned.
    expect(volumeProfile({ from: p.from, to: p.to, timeZone: 'UTC', counts: [], asOf: p.to, waiting: 1 }).status).toBe('partial');
  });
});

describe('volume profile across DST', () => {
  it('America/New_York fall back: the repeated 01:00 hour counts twice, its visits from both in one cell', () => {
    // Sunday 1 November 2026: 02:00 EDT -> 01:00 EST at 06:00Z. The local day is 25 hours long.
    const p = volumeProfile({
      from: at('2026-11-01T00:00-04:00'),
      to: at('2026-11-02T00:00-05:00'),
      timeZone: 'America/New_York',
      counts: ones('2026-11-01T01:30-04:00', '2026-11-01T01:30-05:00', '2026-11-01T01:59-05:00', '2026-11-01T02:00-05:00'),
    });
    expect(cell(p, 7, 1)).toEqual({ weekday: 7, hour: 1, count: 3, hours: 2, perHour: 1.5 });
    expect(cell(p, 7, 0)).toMatchObject({ count: 0, hours: 1 });
    expect(cell(p, 7, 2)).toMatchObject({ count: 1, hours: 1, perHour: 1 });
    expect(p.total).toMatchObject({ count: 4, hours: 25 });
    expect(p.peak).toMatchObject({ weekday: 7, hour: 1 });
    expect(p.byHourOfDay.rows[1]).toMatchObject({ count: 3, hours: 2 });
  });

  it('America/New_York spring forward: the skipped 02:00 hour counts zero hours and has no average', () => {
    // Sunday 8 March 2026: 02:00 EST -> 03:00 EDT at 07:00Z. The local day is 23 hours long.
    const p = volumeProfile({
      from: at('2026-03-08T00:00-05:00'),
      to: at('2026-03-09T00:00-04:00'),
      timeZone: 'America/New_York',
      counts: ones('2026-03-08T01:59:59-05:00', '2026-03-08T03:00-04:00', '2026-03-08T03:30-04:00'),
    });
    expect(cell(p, 7, 2)).toEqual({ weekday: 7, hour: 2, count: 0, hours: 0, perHour: null });
    expect(cell(p, 7, 1)).toMatchObject({ count: 1, hours: 1 });
    expect(cell(p, 7, 3)).toMatchObject({ count: 2, hours: 1, perHour: 2 });
    expect(p.total).toMatchObject({ count: 3, hours: 23 });
    expect(p.cells.filter((c) => c.hours > 0)).toHaveLength(23);
  });

  it('Australia/Lord_Howe: the 30-minute changes give the 01:00 hour 1.5 hours and the 02:00 hour 0.5', () => {
    // 5 April 2026: 02:00 +11 -> 01:30 +10:30 (01:30-02:00 repeats). 4 October 2026: 02:00 +10:30 -> 02:30 +11.
    const back = volumeProfile({
      from: at('2026-04-05T00:00+11:00'),
      to: at('2026-04-06T00:00+10:30'),
      timeZone: 'Australia/Lord_Howe',
      counts: ones('2026-04-05T01:45+11:00', '2026-04-05T01:45+10:30', '2026-04-05T01:15+11:00'),
    });
    expect(cell(back, 7, 1)).toEqual({ weekday: 7, hour: 1, count: 3, hours: 1.5, perHour: 2 });
    expect(back.total.hours).toBe(24.5);
    const forward = volumeProfile({
      from: at('2026-10-04T00:00+10:30'),
      to: at('2026-10-05T00:00+11:00'),
      timeZone: 'Australia/Lord_Howe',
      counts: ones('2026-10-04T02:45+11:00'),
    });
    expect(cell(forward, 7, 2)).toEqual({ weekday: 7, hour: 2, count: 1, hours: 0.5, perHour: 2 });
    expect(forward.total.hours).toBe(23.5);
  });

  it('Asia/Kathmandu (+5:45): hours start at :15 UTC, and 15-minute buckets fall on either side exactly', () => {
    const p = volumeProfile({
      from: at('2026-11-02T03:00Z'), // 08:45 local, rounded down to 08:00 local = 02:15Z
      to: at('2026-11-02T04:15Z'), // 10:00 local
      timeZone: 'Asia/Kathmandu',
      counts: [
        { at: at('2026-11-02T03:00Z'), count: 5 }, // 08:45-09:00 local
        { at: at('2026-11-02T03:15Z'), count: 7 }, // 09:00-09:15 local
      ],
    });
    expect([iso(p.from), iso(p.to)]).toEqual(['2026-11-02T02:15:00.000Z', '2026-11-02T04:15:00.000Z']);
    expect(cell(p, 1, 8)).toMatchObject({ count: 5, hours: 1 });
    expect(cell(p, 1, 9)).toMatchObject({ count: 7, hours: 1 });
    expect(p.peakToTroughRatio).toBeCloseTo(7 / 5, 12);
  });
});

describe('volume profile against Intl (seeded)', () => {
  const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/Sao_Paulo'];
  /** ISO weekday and hour of an instant by Intl's own wall clock, independent of the offset tables. */
  const slotByIntl = (instant: number, zone: string) => {
    const p = localParts(instant, zone);
    const weekday = ((new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7) + 1;
    return { weekday, hour: p.hour };
  };

  it('every cell holds the counts and the quarter hours whose local wall clock Intl places in it', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = prng(seed);
      const zone = r.pick(ZONES);
      // Ranges up to 9 days around the 2026 transitions of the zones above (and ordinary weeks).
      const base = r.pick([at('2026-03-06T00:00Z'), at('2026-03-27T00:00Z'), at('2026-10-01T00:00Z'), at('2026-10-23T00:00Z')]);
      const from = base + r.int(0, 4 * 24 * 4) * 900_000 + r.int(0, 899) * 1000;
      const to = from + r.int(1, 9 * 24 * 4) * 900_000 - r.int(0, 899) * 1000;
      const counts: TimedCount[] = Array.from({ length: r.int(0, 300) }, () => ({
        at: from - 2 * HOUR + Math.floor(r.next() * (to - from + 4 * HOUR)),
        count: r.int(1, 3),
      }));
      const p = volumeProfile({ from, to, timeZone: zone, counts });
      const where = `seed ${seed} ${zone} ${iso(from)}..${iso(to)}`;
      expect(p.from, where).toBeLessThanOrEqual(from);
      expect(p.to, where).toBeGreaterThanOrEqual(to);
      // Whole local hours (Lord Howe's half-hour transitions can cut one at :30).
      if (zone !== 'Australia/Lord_Howe') {
        expect(localParts(p.from, zone).minute, where).toBe(0);
        expect(localParts(p.to, zone).minute, where).toBe(0);
      }

      const expectCount = new Map<string, number>();
      const expectHours = new Map<string, number>();
      const key = (s: { weekday: number; hour: number }) => `${s.weekday}:${s.hour}`;
      for (const c of counts) {
        if (c.at < p.from || c.at >= p.to) continue;
        const k = key(slotByIntl(c.at, zone));
        expectCount.set(k, (expectCount.get(k) ?? 0) + c.count);
      }
      for (let q = p.from; q < p.to; q += 900_000) {
        const k = key(slotByIntl(q, zone));
        expectHours.set(k, (expectHours.get(k) ?? 0) + 0.25);
      }
      for (const c of p.cells) {
        expect(c.count, `${where} cell ${key(c)}`).toBe(expectCount.get(key(c)) ?? 0);
        expect(c.hours, `${where} cell ${key(c)}`).toBe(expectHours.get(key(c)) ?? 0);
      }
      expect(p.total.hours, where).toBe((p.to - p.from) / HOUR);
    }
  });
});
