import { describe, expect, it } from 'vitest';
import { type BaselinePeriod, hourlyBaseline, WEEK_SLOTS, weekSlotOf } from './baseline';

const MONDAY = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC
const Q = 15 * 60_000;
const WEEK = 7 * 86_400_000;
const weekStart = (t: number) => MONDAY + Math.floor((t - MONDAY) / WEEK) * WEEK;

describe('anomaly baseline', () => {
  it('slots the week from Monday 00:00 local, in the zone', () => {
    expect(weekSlotOf(MONDAY, 'UTC')).toBe(0);
    expect(weekSlotOf(MONDAY + 9 * 3_600_000 + 20 * 60_000, 'UTC')).toBe(9 * 4 + 1);
    expect(weekSlotOf(MONDAY - 1, 'UTC')).toBe(WEEK_SLOTS - 1);
    // 00:30 UTC on Monday is Sunday 19:30 in New York (EST).
    expect(weekSlotOf(MONDAY + 30 * 60_000, 'America/New_York')).toBe(6 * 96 + 19 * 4 + 2);
  });

  it('a count: the hour ending at each slot, averaged over the weeks that had data', () => {
    const periods: BaselinePeriod[] = [];
    // Week 1: 10 calls in each quarter of 09:00–10:00 on Monday; week 2: 20 each.
    for (const [w, n] of [
      [0, 10],
      [1, 20],
    ] as const)
      for (let k = 0; k < 4; k++)
        periods.push({ start: MONDAY + w * WEEK + 9 * 3_600_000 + k * Q, numerator: n, denominator: null });
    const b = hourlyBaseline(periods, 'UTC', weekStart);
    expect(b).toHaveLength(WEEK_SLOTS);
    expect(b[9 * 4 + 3]).toBe((40 + 80) / 2); // the hour 09:00–10:00
    expect(b[9 * 4]).toBe((10 + 20) / 2); // the hour ending 09:15 holds one quarter of each week
    expect(b[12 * 4]).toBeNull();
  });

  it('weeks before the history began do not count; quiet hours after it count as 0', () => {
    const periods: BaselinePeriod[] = [];
    for (let w = 0; w < 4; w++)
      for (let k = 0; k < 4; k++)
        periods.push({
          start: MONDAY + w * WEEK + 9 * 3_600_000 + k * Q,
          numerator: w >= 2 && (w === 2 || k > 0) ? (w === 2 ? 3 : 0) : 0,
          denominator: null,
        });
    // Weeks 0 and 1 are all zeros (before the history); week 2 has 12, week 3 has 0.
    expect(hourlyBaseline(periods, 'UTC', weekStart)[9 * 4 + 3]).toBe((12 + 0) / 2);
  });

  it('a mean: numerators over denominators within each week, then averaged', () => {
    const periods: BaselinePeriod[] = [
      { start: MONDAY + 9 * 3_600_000, numerator: 30_000, denominator: 3 },
      { start: MONDAY + 9 * 3_600_000 + Q, numerator: 10_000, denominator: 1 },
      { start: MONDAY + WEEK + 9 * 3_600_000, numerator: 0, denominator: 0 },
    ];
    expect(hourlyBaseline(periods, 'UTC', weekStart)[9 * 4 + 1]).toBe(10_000);
  });
});
