import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prng } from '../kpi/test-records';
import { backtestWeeks, bias, type ForecastInput, forecastQueue, quantile, wape } from './forecast';
import { FORECAST_METHODS, type ForecastMethod } from './methods';
import { type BucketActuals, localSlot, weekdayOfDay } from './series';

const Q = 900_000;
const DAY = 86_400_000;
/** Monday 2 November 2026, 00:00 UTC. */
const MONDAY = Date.parse('2026-11-02T00:00:00Z');

/** An intraday shape: nothing at night, a morning and an afternoon peak (calls per 15 minutes at scale 1). */
const shape = (slot: number) => (slot < 28 || slot >= 76 ? 0 : 10 + 8 * Math.sin(((slot - 28) / 48) * Math.PI * 2) ** 2);
/** Monday … Sunday volume factors. */
const WEEK = [1.2, 1, 1, 0.95, 0.9, 0.3, 0.1];

/** `weeks` weeks of buckets from `start` (UTC), each value from `value(day index, slot)`. */
function series(
  start: number,
  days: number,
  value: (day: number, slot: number) => number,
  aht: (day: number, slot: number) => number = () => 180,
): BucketActuals[] {
  const out: BucketActuals[] = [];
  for (let i = 0; i < days * 96; i++) {
    const offered = value(Math.floor(i / 96), i % 96);
    out.push({ start: start + i * Q, offered, handled: offered, handleSeconds: offered * aht(Math.floor(i / 96), i % 96) });
  }
  return out;
}

/** Train on the first `weeks` weeks from MONDAY (UTC), forecast the next `ahead` days. */
function input(history: BucketActuals[], weeks: number, extra: Partial<ForecastInput> = {}, ahead = 7): ForecastInput {
  const trainTo = MONDAY + weeks * 7 * DAY;
  return {
    timeZone: 'UTC',
    history,
    trainFrom: MONDAY,
    trainTo,
    from: trainTo,
    to: trainTo + ahead * DAY,
    holidays: [],
    ...extra,
  };
}

const weekly = (day: number, slot: number) => Math.round(shape(slot) * (WEEK[day % 7] as number));

describe('accuracy measures', () => {
  it.each([
    { actual: [10, 10], forecast: [10, 10], wape: 0, bias: 0 },
    { actual: [10, 10], forecast: [12, 8], wape: 0.2, bias: 0 },
    { actual: [10, 30], forecast: [20, 40], wape: 0.5, bias: 0.5 },
    { actual: [4, 0, 6], forecast: [0, 5, 0], wape: 1.5, bias: -0.5 },
    { actual: [0, 0], forecast: [1, 0], wape: null, bias: null },
  ])('WAPE and bias of $actual against $forecast', (c) => {
    expect(wape(c.actual, c.forecast)).toBe(c.wape);
    expect(bias(c.actual, c.forecast)).toBe(c.bias);
  });

  it.each([
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5], 0, 1],
    [[1, 2, 3, 4, 5], 1, 5],
    [[5, 1, 4, 2, 3], 0.25, 2],
    [[0, 10], 0.05, 0.5],
  ])('quantile of %j at %d is %d', (values, q, expected) => {
    expect(quantile(values, q)).toBeCloseTo(expected, 12);
  });

  it.each([
    [0, 0],
    [13, 0],
    [14, 1],
    [21, 1],
    [28, 2],
    [35, 3],
    [56, 3],
  ])('a training of %d days holds out %d weeks', (days, weeks) => {
    expect(backtestWeeks(days)).toBe(weeks);
  });
});

describe('forecasts', () => {
  it('a perfectly weekly series is forecast exactly, by seasonal naive (the simplest of equals), with WAPE 0', () => {
    const f = forecastQueue(input(series(MONDAY, 35, weekly), 4));
    expect(f.method).toBe('seasonalNaive');
    expect(f.backtest).toMatchObject({ weeks: 2, wape: 0, bias: 0, ahtWape: 0 });
    expect(f.backtest?.methods.map((m) => m.method)).toEqual(FORECAST_METHODS);
    const want = series(MONDAY + 28 * DAY, 7, (d, s) => weekly(d + 28, s));
    expect(f.intervals.map((i) => i.offered)).toEqual(want.map((b) => b.offered));
    expect(f.intervals.map((i) => i.start)).toEqual(want.map((b) => b.start));
    // Training hands every AHT the same 180 s, so every quarter hour with a forecast is 180 s.
    expect(new Set(f.intervals.map((i) => i.ahtSeconds))).toEqual(new Set([180]));
  });

  it.each(FORECAST_METHODS)('a constant series gives %s a WAPE of 0 and forecasts the constant', (method) => {
    const f = forecastQueue(
      input(
        series(MONDAY, 28, () => 7),
        4,
        { methods: [method] },
      ),
    );
    expect(f.method).toBe(method);
    expect(f.backtest?.wape).toBeCloseTo(0, 9);
    for (const i of f.intervals) expect(i.offered).toBeCloseTo(7, 9);
  });

  it('a growing series is won by Holt-Winters, whose trend the seasonal methods lack', () => {
    // +3 % a day over 8 weeks, weekly shape on top.
    const grow = (d: number, s: number) => shape(s) * (WEEK[d % 7] as number) * 1.03 ** d;
    const f = forecastQueue(input(series(MONDAY, 56, grow), 7));
    expect(f.method).toBe('holtWinters');
    const scores = Object.fromEntries(f.backtest?.methods.map((m) => [m.method, m]) ?? []);
    expect(scores.holtWinters?.wape).toBeLessThan(scores.seasonalMean?.wape as number);
    // The seasonal methods under-forecast growth: a negative bias.
    expect(scores.seasonalNaive?.bias).toBeLessThan(0);
    const next = f.intervals.reduce((n, i) => n + i.offered, 0);
    const actual = series(MONDAY + 49 * DAY, 7, (d, s) => grow(d + 49, s)).reduce((n, b) => n + b.offered, 0);
    expect(Math.abs(next - actual) / actual).toBeLessThan(0.1);
  });

  it('leaves holidays out of training and flags forecast intervals on one', () => {
    // Monday 16 November was a half-closed holiday (60 % of a Monday, not far enough off to be an outlier day).
    const quiet = (d: number, s: number) => (d === 14 ? Math.round(weekly(d, s) * 0.6) : weekly(d, s));
    const plain = forecastQueue(input(series(MONDAY, 21, quiet), 3, {}, 14));
    const holidays = ['2026-11-16', '2026-11-30'];
    const f = forecastQueue(input(series(MONDAY, 21, quiet), 3, { holidays }, 14));
    expect(f.training.excludedDays).toEqual([{ date: '2026-11-16', reason: 'holiday' }]);
    expect(plain.training.excludedDays).toEqual([]);
    // The Monday forecast is an ordinary Monday's, from the other Mondays; without the calendar it is dragged down.
    const monday = (x: typeof f) => x.intervals.slice(0, 96).reduce((n, i) => n + i.offered, 0);
    expect(monday(f)).toBeCloseTo(
      series(MONDAY, 1, weekly).reduce((n, b) => n + b.offered, 0),
      9,
    );
    expect(monday(plain)).toBeLessThan(monday(f));
    // 30 November (the second Monday forecast) is a holiday: flagged, all 96 intervals of it and no other.
    const flagged = f.intervals.filter((i) => i.holiday);
    expect(flagged).toHaveLength(96);
    expect(flagged[0]?.start).toBe(Date.parse('2026-11-30T00:00:00Z'));
  });

  it('leaves a day far from its weekday out as an outlier, as it does a closed day not in the calendar', () => {
    const closed = (d: number, s: number) => (d === 14 ? 0 : weekly(d, s));
    const f = forecastQueue(input(series(MONDAY, 21, closed), 3));
    expect(f.training.excludedDays).toEqual([{ date: '2026-11-16', reason: 'outlier' }]);
  });

  it('leaves an outlier day out and replaces an outlying quarter hour', () => {
    const wild = (d: number, s: number) => {
      if (d === 15) return weekly(d, s) * 10; // Tuesday 17 November: an outage's retries all day
      if (d === 10 && s === 40) return 500; // one quarter hour of a Thursday
      return weekly(d, s);
    };
    const f = forecastQueue(input(series(MONDAY, 28, wild), 4));
    expect(f.training.excludedDays).toEqual([{ date: '2026-11-17', reason: 'outlier' }]);
    expect(f.training.replacedIntervals).toBe(1);
    // Nothing of either reaches the forecast: it is the clean week.
    expect(f.method).toBe('seasonalNaive');
    expect(f.intervals.map((i) => i.offered)).toEqual(series(MONDAY, 7, weekly).map((b) => b.offered));
  });

  it('forecasts AHT per interval, volume-weighted', () => {
    // Mornings (before 12:00) take 120 s a call, afternoons 300 s.
    const aht = (_d: number, s: number) => (s < 48 ? 120 : 300);
    const f = forecastQueue(input(series(MONDAY, 28, weekly, aht), 4));
    const at = (hhmm: string) => f.intervals.find((i) => i.start === Date.parse(`2026-11-30T${hhmm}:00Z`));
    // Each slot had 4 Mondays of calls at one AHT, shrunk towards the Monday's (volume-weighted) mean by 5 calls.
    const mondayVolume = series(MONDAY, 1, weekly, aht);
    const seconds = mondayVolume.reduce((n, b) => n + b.handleSeconds, 0);
    const calls = mondayVolume.reduce((n, b) => n + b.handled, 0);
    const slot40 = (mondayVolume[40] as BucketActuals).handled * 4;
    expect(at('10:00')?.ahtSeconds).toBeCloseTo((slot40 * 120 + (5 * seconds) / calls) / (slot40 + 5), 9);
    expect(at('10:00')?.ahtSeconds).toBeLessThan(at('15:00')?.ahtSeconds as number);
    // No call was ever handled at 03:00: the Monday's mean.
    expect(at('03:00')?.ahtSeconds).toBeCloseTo(seconds / calls, 9);
  });

  it('follows local time across DST: a fall-back day forecasts its repeated hour twice, a spring-forward day skips one', () => {
    const zone = 'Europe/Prague';
    const start = Date.parse('2026-10-05T00:00:00+02:00'); // a Monday
    const history: BucketActuals[] = [];
    const trainTo = Date.parse('2026-10-25T00:00:00+02:00');
    for (let t = start; t < trainTo; t += Q) {
      const { day, slot } = localSlot(t, zone);
      const offered = Math.round(shape(slot) * (WEEK[weekdayOfDay(day) - 1] as number));
      history.push({ start: t, offered, handled: offered, handleSeconds: offered * 200 });
    }
    const f = forecastQueue({
      timeZone: zone,
      history,
      trainFrom: start,
      trainTo,
      from: Date.parse('2026-10-25T00:00:00+02:00'),
      to: Date.parse('2026-10-26T00:00:00+01:00'),
      holidays: [],
    });
    // Sunday 25 October 2026 (02:00–03:00 twice) is 25 hours: 100 intervals; both 02:00s get the 02:00 forecast.
    expect(f.intervals).toHaveLength(100);
    expect(f.backtest?.wape).toBe(0);
    const sunday = (slot: number) => Math.round(shape(slot) * (WEEK[6] as number));
    expect(f.intervals.map((i) => i.offered)).toEqual(f.intervals.map((i) => sunday(localSlot(i.start, zone).slot)));
    const spring = forecastQueue({
      timeZone: zone,
      history,
      trainFrom: start,
      trainTo,
      from: Date.parse('2027-03-28T00:00:00+01:00'),
      to: Date.parse('2027-03-29T00:00:00+02:00'),
      holidays: [],
    });
    expect(spring.intervals).toHaveLength(92);
  });

  it('with less than two weeks of history forecasts by seasonal naive, without a backtest, with Poisson intervals', () => {
    // Two weeks of training, of which the first four days had no call yet.
    const f = forecastQueue(input(series(MONDAY + 4 * DAY, 10, weekly), 2));
    // Weeks of training before a queue's first call neither train nor make its days outliers.
    const late = series(MONDAY + 28 * DAY, 21, weekly);
    const early = forecastQueue({ ...input(late, 7), trainFrom: MONDAY });
    expect(early.training).toMatchObject({ days: 21, from: MONDAY + 28 * DAY, excludedDays: [] });
    expect(early.backtest?.wape).toBe(0);
    expect(f.training.days).toBe(10);
    expect(f.training.from).toBe(MONDAY + 4 * DAY);
    expect(f.method).toBe('seasonalNaive');
    expect(f.backtest).toBeNull();
    const busiest = f.intervals.reduce((a, b) => (b.offered > a.offered ? b : a));
    expect(busiest.offered).toBeGreaterThan(10);
    expect(busiest.upper - busiest.offered).toBeCloseTo(1.6448536269514722 * Math.sqrt(busiest.offered + 1), 9);
    expect(busiest.offered - busiest.lower).toBeCloseTo(1.6448536269514722 * Math.sqrt(busiest.offered + 1), 9);
    const none = forecastQueue(input([], 4));
    expect(none.training).toMatchObject({ days: 0, from: null });
    expect(none.intervals.every((i) => i.offered === 0 && i.ahtSeconds === null)).toBe(true);
  });
});

/** Four weeks of a weekly shape with up to ±30 % noise, from a seed. */
const noisy = (seed: number) => {
  const r = prng(seed);
  return series(MONDAY, 28, (d, s) => Math.round(shape(s) * (WEEK[d % 7] as number) * (0.7 + 0.6 * r.next())));
};
const methodArb = fc.constantFrom<ForecastMethod | undefined>(undefined, ...FORECAST_METHODS);

describe('forecast properties', () => {
  it('scaling the series scales the point forecast (and the choice of method does not change)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 2, max: 50 }), methodArb, (seed, k, method) => {
        const base = noisy(seed).map((b) => ({ ...b, offered: b.offered + 20 }));
        const scaled = base.map((b) => ({
          ...b,
          offered: b.offered * k,
          handled: b.handled * k,
          handleSeconds: b.handleSeconds * k,
        }));
        const extra = method ? { methods: [method] } : {};
        const a = forecastQueue(input(base, 3, extra));
        const b = forecastQueue(input(scaled, 3, extra));
        expect(b.method).toBe(a.method);
        a.intervals.forEach((i, n) => {
          expect(b.intervals[n]?.offered).toBeCloseTo(i.offered * k, 6);
          // AHT is per call: the same at any volume.
          expect(b.intervals[n]?.ahtSeconds).toBeCloseTo(i.ahtSeconds as number, 6);
        });
      }),
      { numRuns: 25 },
    );
  });

  it('every interval contains its point, never below 0', () => {
    fc.assert(
      fc.property(fc.integer(), methodArb, (seed, method) => {
        const f = forecastQueue(input(noisy(seed), 3, method ? { methods: [method] } : {}, 14));
        for (const i of f.intervals) {
          expect(i.lower).toBeGreaterThanOrEqual(0);
          expect(i.lower).toBeLessThanOrEqual(i.offered);
          expect(i.upper).toBeGreaterThanOrEqual(i.offered);
          expect(i.offered).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('the chosen method has the least backtest WAPE', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const f = forecastQueue(input(noisy(seed), 4));
        const best = Math.min(...(f.backtest?.methods.map((m) => m.wape as number) ?? []));
        expect(f.backtest?.wape).toBe(best);
        expect(f.backtest?.methods.find((m) => m.wape === best)?.method).toBe(f.method);
      }),
      { numRuns: 25 },
    );
  });
});
