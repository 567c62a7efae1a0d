/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { bias, FORECAST_METHODS, type ForecastMethod, forecastQueue, wape } from '../src/domain/forecast';
import { BANK, BANK_QUEUES, bankBuckets } from './fixtures/bank-buckets';

/**
 * The backtest on the real month (README, docs/forecasts.md): the "Anonymous Bank" call center, February 1999, from
 * the committed fixture (test/fixtures/bank-1999-02-buckets.tsv, derived from the data set by
 * scripts/bank-forecast-fixture.mjs). Each queue is trained on the first three weeks (1–21 February), its method
 * chosen by its own backtest, and forecast for the fourth (22–28 February) per 15-minute interval; the forecasts
 * are scored against what happened. The computation is deterministic: the tolerance of ±0.0005 only covers the
 * rounding of the figures the docs quote.
 */
const WEEK = 7 * 86_400_000;

/** The data set itself, when it is next to the checkout (as test/bank-month.test.ts looks for it); CI may not have it. */
const files = import.meta.glob(
  ['../../shared/data/anonymous-bank-1999-02.tsv', '../../../shared/data/anonymous-bank-1999-02.tsv'],
  { query: '?raw', import: 'default' },
);
const load = Object.values(files)[0] as (() => Promise<string>) | undefined;
const trainTo = BANK.from + 3 * WEEK;

function fourthWeek(queue: string, methods?: readonly ForecastMethod[]) {
  const buckets = bankBuckets(queue);
  const f = forecastQueue({
    timeZone: BANK.timeZone,
    history: buckets.filter((b) => b.start < trainTo),
    trainFrom: BANK.from,
    trainTo,
    from: trainTo,
    to: BANK.to,
    holidays: [],
    ...(methods ? { methods } : {}),
  });
  const actual = buckets.filter((b) => b.start >= trainTo).map((b) => b.offered);
  return { f, actual, forecast: f.intervals.map((i) => i.offered) };
}

describe('forecasting the real month: three weeks of training, the fourth forecast', () => {
  it('reaches the WAPE the README states, pooled over the six queues and for the main one (PS)', () => {
    expect(BANK_QUEUES).toEqual(['IN', 'NE', 'NW', 'PE', 'PS', 'TT']);
    const actual: number[] = [];
    const forecast: number[] = [];
    let inside = 0;
    const chosen: Record<string, string> = {};
    const perQueue: Record<string, number | null> = {};
    for (const q of BANK_QUEUES) {
      const r = fourthWeek(q);
      expect(r.f.intervals).toHaveLength(7 * 96);
      expect(r.f.backtest?.weeks).toBe(1);
      chosen[q] = r.f.method;
      perQueue[q] = wape(r.actual, r.forecast);
      actual.push(...r.actual);
      forecast.push(...r.forecast);
      r.f.intervals.forEach((i, n) => {
        const a = r.actual[n] as number;
        if (a >= i.lower && a <= i.upper) inside++;
      });
    }
    expect(actual.reduce((a, b) => a + b, 0)).toBe(7114);
    const pooled = wape(actual, forecast) as number;
    expect(pooled).toBeCloseTo(0.4716, 3);
    expect(bias(actual, forecast)).toBeCloseTo(0.1159, 3);
    expect(perQueue.PS).toBeCloseTo(0.3073, 3);
    expect(pooled).toBeLessThan(0.5);
    expect(chosen).toEqual({
      IN: 'seasonalNaive',
      NE: 'seasonalMean',
      NW: 'seasonalMean',
      PE: 'seasonalNaive',
      PS: 'seasonalMean',
      TT: 'seasonalMean',
    });
    // The 90 % prediction intervals held the actual volume of about 90 % of the intervals (more in quiet queues).
    const coverage = inside / actual.length;
    expect(coverage).toBeGreaterThan(0.9);
    expect(coverage).toBeLessThan(0.99);
  });

  it('chose by backtest no worse than seasonal naive alone would have done on the fourth week', () => {
    const pooled = (methods?: readonly ForecastMethod[]) => {
      const actual: number[] = [];
      const forecast: number[] = [];
      for (const q of BANK_QUEUES) {
        const r = fourthWeek(q, methods);
        actual.push(...r.actual);
        forecast.push(...r.forecast);
      }
      return wape(actual, forecast) as number;
    };
    const byMethod = Object.fromEntries(FORECAST_METHODS.map((m) => [m, pooled([m])]));
    expect(byMethod.seasonalNaive).toBeCloseTo(0.5499, 3);
    expect(pooled()).toBeLessThan(byMethod.seasonalNaive as number);
  });
});

describe.skipIf(!load)('the fixture', () => {
  it('holds per queue and quarter hour what the data set gives (offered where a visit joined, handled where it was answered)', async () => {
    const tsv = await (load as () => Promise<string>)();
    const lines = tsv.split('\n').map((l) => l.replace(/\r$/, ''));
    const names = (lines[0] ?? '').split('\t');
    const seconds = (t: string) => t.split(':').reduce((a, p) => a * 60 + Number(p), 0);
    // yymmdd and a wall-clock time in Israel's winter time (+02:00), a day later when past midnight.
    const at = (date: string, vru: string, time: string) =>
      Date.UTC(1900 + Number(date.slice(0, 2)), Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6))) +
      (seconds(time) + (seconds(time) < seconds(vru) - 12 * 3600 ? 86_400 : 0) - 7200) * 1000;
    const want = new Map<string, { offered: number; handled: number; handleSeconds: number }>();
    const cell = (queue: string, instant: number) => {
      const key = `${queue}|${Math.floor((instant - BANK.from) / 900_000)}`;
      let c = want.get(key);
      if (!c) {
        c = { offered: 0, handled: 0, handleSeconds: 0 };
        want.set(key, c);
      }
      return c;
    };
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const f = line.split('\t');
      const get = (n: string) => f[names.indexOf(n)] as string;
      const queued = get('q_start') !== '0:00:00';
      if (get('outcome') === 'PHANTOM' || !(queued || get('outcome') === 'AGENT')) continue;
      const joined = at(get('date'), get('vru_entry'), queued ? get('q_start') : get('ser_start'));
      if (joined >= BANK.to) continue;
      cell(get('type'), joined).offered += 1;
      if (get('outcome') === 'AGENT' && get('server') !== 'NO_SERVER') {
        const c = cell(get('type'), queued ? at(get('date'), get('vru_entry'), get('q_exit')) : joined);
        c.handled += 1;
        c.handleSeconds += Number(get('ser_time'));
      }
    }
    for (const q of BANK_QUEUES) {
      bankBuckets(q).forEach((b, i) => {
        const w = want.get(`${q}|${i}`) ?? { offered: 0, handled: 0, handleSeconds: 0 };
        expect({ offered: b.offered, handled: b.handled, handleSeconds: b.handleSeconds }, `${q} ${i}`).toEqual(w);
      });
    }
  });
});
