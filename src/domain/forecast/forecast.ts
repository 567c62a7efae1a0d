import { BUCKET_MS } from '../time/intervals';
import { cleanDays, replacedSlots } from './clean';
import {
  type DayForecaster,
  type Exclusion,
  FORECAST_METHODS,
  type ForecastMethod,
  fitAht,
  fitMethod,
  type TrainingDay,
} from './methods';
import { type BucketActuals, dateOfDay, type LocalDay, localDays, localSlot, SLOTS_PER_DAY, weekdayOfDay } from './series';

/**
 * A queue's forecast per 15-minute interval, its method chosen by backtest (docs/forecasts.md).
 *
 * Backtest: rolling origin over the last weeks of training — each of the last {@link backtestWeeks} weeks is
 * forecast by every method fitted on the days before it, and scored against what happened on its usable days:
 * WAPE = Σ|actual − forecast| / Σ actual, bias = Σ(forecast − actual) / Σ actual over its quarter hours
 * (src/domain/kpi/catalog.ts documents both beside the metrics). The method with the least absolute error (so the
 * least WAPE: every method is scored on the same quarter hours) is fitted on the whole training and forecasts the range.
 *
 * Prediction intervals: the chosen method's backtest errors, each divided by √(forecast + 1) (count noise grows as
 * the square root of the volume), give empirical quantiles; an interval is forecast + quantile × √(forecast + 1),
 * never below 0. With fewer than {@link MIN_RESIDUALS} errors to learn from, the Poisson normal approximation
 * (±1.645) stands in. The backtest forecasts one week ahead; intervals further out are not widened.
 */

/** The central probability of the prediction intervals. */
export const INTERVAL_LEVEL = 0.9;
/** The most weeks a backtest holds out (one at a time). */
export const MAX_BACKTEST_WEEKS = 3;
/** The fewest backtest errors empirical quantiles are taken from. */
export const MIN_RESIDUALS = 30;
const POISSON_Z = 1.6448536269514722;

export interface ForecastInput {
  timeZone: string;
  /** Training buckets in [trainFrom, trainTo); a bucket not listed held nothing. */
  history: Iterable<BucketActuals>;
  /** The training window: local midnights, `trainTo` at or before `from`. Leading days with no call are dropped. */
  trainFrom: number;
  trainTo: number;
  /** The range forecast: 15-minute boundaries. */
  from: number;
  to: number;
  /** Local dates (YYYY-MM-DD) left out of training and flagged in the forecast. */
  holidays: Iterable<string>;
  /** The methods to choose from (default all, in {@link FORECAST_METHODS} order). */
  methods?: readonly ForecastMethod[];
}

export interface IntervalForecast {
  start: number;
  /** Offered visits: the point forecast and its prediction interval. */
  offered: number;
  lower: number;
  upper: number;
  /** Forecast AHT of the calls handled in the interval, seconds; null when training handled no call. */
  ahtSeconds: number | null;
  /** The interval's local date is in the holiday calendar (its forecast is an ordinary day's). */
  holiday: boolean;
}

/** A method's backtest over the held-out weeks. */
export interface MethodScore {
  method: ForecastMethod;
  /** null when the held-out weeks offered nothing. */
  wape: number | null;
  bias: number | null;
  /** Σ|actual − forecast|, which the choice compares. */
  absoluteError: number;
}

export interface Backtest {
  /** Weeks held out, each forecast from the days before it. */
  weeks: number;
  /** Of the chosen method. */
  wape: number | null;
  bias: number | null;
  /** Handle-time WAPE of the AHT forecast at the actual volumes: Σ|handled × forecast AHT − handle time| / Σ handle time. */
  ahtWape: number | null;
  /** Every method that could be fitted on every held-out week's training, in choice order. */
  methods: MethodScore[];
}

export interface QueueForecast {
  method: ForecastMethod;
  /** null when training holds fewer than two weeks (the method is then the simplest that fits). */
  backtest: Backtest | null;
  training: {
    /** The training actually read: from the first day with a call. */
    from: number | null;
    to: number;
    days: number;
    excludedDays: { date: string; reason: Exclusion }[];
    /** Outlying quarter hours replaced by their weekday's median. */
    replacedIntervals: number;
  };
  level: number;
  intervals: IntervalForecast[];
}

/** Weeks the backtest holds out for a training of `days` days: none under two weeks, else up to three, keeping two for the first fit. */
export function backtestWeeks(days: number): number {
  const weeks = Math.floor(days / 7);
  return weeks < 2 ? 0 : Math.max(1, Math.min(MAX_BACKTEST_WEEKS, weeks - 2));
}

/** WAPE = Σ|actual − forecast| / Σ actual; null when nothing was offered. */
export function wape(actual: readonly number[], forecast: readonly number[]): number | null {
  let err = 0;
  let total = 0;
  actual.forEach((a, i) => {
    err += Math.abs(a - (forecast[i] ?? 0));
    total += a;
  });
  return total > 0 ? err / total : null;
}

/** Bias = Σ(forecast − actual) / Σ actual: above 0 over-forecasts; null when nothing was offered. */
export function bias(actual: readonly number[], forecast: readonly number[]): number | null {
  let diff = 0;
  let total = 0;
  actual.forEach((a, i) => {
    diff += (forecast[i] ?? 0) - a;
    total += a;
  });
  return total > 0 ? diff / total : null;
}

/** The q-quantile of values (linear between order statistics). */
export function quantile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const pos = q * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (v[lo] as number) + ((v[hi] as number) - (v[lo] as number)) * (pos - lo);
}

/** A day's forecast offered per slot as counts (rate × the real buckets of the slot). */
function countsOf(f: DayForecaster, d: TrainingDay): number[] {
  const rates = f(d.day, d.weekday);
  return d.buckets.map((b, s) => (rates[s] ?? 0) * b);
}

interface Scored {
  actual: number[];
  forecast: number[];
  residuals: number[];
}

/** Forecasts each held-out week with a method fitted on the days before it; null when some week's training is too short. */
function scoreMethod(method: ForecastMethod, days: readonly TrainingDay[], weeks: number): Scored | null {
  const scored: Scored = { actual: [], forecast: [], residuals: [] };
  for (let k = weeks; k >= 1; k--) {
    const cut = days.length - 7 * k;
    const fitted = fitMethod(method, days.slice(0, cut));
    if (!fitted) return null;
    for (const d of days.slice(cut, cut + 7)) {
      if (d.excluded !== null) continue;
      const f = countsOf(fitted, d);
      for (let s = 0; s < SLOTS_PER_DAY; s++) {
        if ((d.buckets[s] ?? 0) === 0) continue;
        const a = d.offered[s] ?? 0;
        const p = f[s] ?? 0;
        scored.actual.push(a);
        scored.forecast.push(p);
        if (a > 0 || p > 0) scored.residuals.push((a - p) / Math.sqrt(p + 1));
      }
    }
  }
  return scored;
}

/** The handle-time WAPE of the AHT forecast over the held-out weeks, at their actual volumes. */
function ahtBacktest(days: readonly TrainingDay[], weeks: number): number | null {
  let err = 0;
  let total = 0;
  for (let k = weeks; k >= 1; k--) {
    const cut = days.length - 7 * k;
    const aht = fitAht(days.slice(0, cut));
    for (const d of days.slice(cut, cut + 7)) {
      if (d.excluded !== null) continue;
      const f = aht(d.weekday);
      for (let s = 0; s < SLOTS_PER_DAY; s++) {
        const handled = d.handled[s] ?? 0;
        err += Math.abs(handled * (f[s] ?? 0) - (d.handleSeconds[s] ?? 0));
        total += d.handleSeconds[s] ?? 0;
      }
    }
  }
  return total > 0 ? err / total : null;
}

/** The days from the first with a call or a handled segment (before it the queue had no history to learn from). */
function fromFirstCall(days: LocalDay[]): LocalDay[] {
  const first = days.findIndex((d) => d.offered.some((v) => v > 0) || d.handled.some((v) => v > 0));
  return first < 0 ? [] : days.slice(first);
}

/** A queue's forecast for [from, to): see the module comment. Pure: the same input gives the same answer. */
export function forecastQueue(input: ForecastInput): QueueForecast {
  const holidays = new Set(input.holidays);
  const methods = input.methods ?? FORECAST_METHODS;
  const days = cleanDays(fromFirstCall(localDays(input.history, input.trainFrom, input.trainTo, input.timeZone)), holidays);
  const weeks = backtestWeeks(days.length);

  let method: ForecastMethod = methods[0] ?? 'seasonalNaive';
  let backtest: Backtest | null = null;
  let residuals: number[] = [];
  if (weeks > 0) {
    const scores: (MethodScore & { scored: Scored })[] = [];
    for (const m of methods) {
      const scored = scoreMethod(m, days, weeks);
      if (!scored) continue;
      const absoluteError = scored.actual.reduce((e, a, i) => e + Math.abs(a - (scored.forecast[i] ?? 0)), 0);
      scores.push({
        method: m,
        wape: wape(scored.actual, scored.forecast),
        bias: bias(scored.actual, scored.forecast),
        absoluteError,
        scored,
      });
    }
    // The least error; the simpler method of equals (scores are in method order).
    const best = scores.reduce<(typeof scores)[number] | null>(
      (b, s) => (b === null || s.absoluteError < b.absoluteError ? s : b),
      null,
    );
    if (best) {
      method = best.method;
      residuals = best.scored.residuals;
      backtest = {
        weeks,
        wape: best.wape,
        bias: best.bias,
        ahtWape: ahtBacktest(days, weeks),
        methods: scores.map(({ scored: _, ...s }) => s),
      };
    }
  }

  const fitted = fitMethod(method, days);
  const aht = fitAht(days);
  const enough = residuals.length >= MIN_RESIDUALS;
  const tail = (1 - INTERVAL_LEVEL) / 2;
  const zLow = enough ? Math.min(0, quantile(residuals, tail)) : -POISSON_Z;
  const zHigh = enough ? Math.max(0, quantile(residuals, 1 - tail)) : POISSON_Z;

  const intervals: IntervalForecast[] = [];
  const perDay = new Map<number, { rates: number[]; aht: (number | null)[] }>();
  for (let t = input.from; t < input.to; t += BUCKET_MS) {
    const { day, slot } = localSlot(t, input.timeZone);
    let f = perDay.get(day);
    if (!f) {
      const weekday = weekdayOfDay(day);
      f = { rates: fitted ? fitted(day, weekday) : new Array<number>(SLOTS_PER_DAY).fill(0), aht: aht(weekday) };
      perDay.set(day, f);
    }
    const point = f.rates[slot] ?? 0;
    const spread = Math.sqrt(point + 1);
    intervals.push({
      start: t,
      offered: point,
      lower: Math.max(0, point + zLow * spread),
      upper: point + zHigh * spread,
      ahtSeconds: f.aht[slot] ?? null,
      holiday: holidays.has(dateOfDay(day)),
    });
  }

  return {
    method,
    backtest,
    training: {
      from: days.length > 0 ? startOfTrainingDay(input, days[0] as TrainingDay) : null,
      to: input.trainTo,
      days: days.length,
      excludedDays: days.filter((d) => d.excluded !== null).map((d) => ({ date: d.date, reason: d.excluded as Exclusion })),
      replacedIntervals: replacedSlots(days),
    },
    level: INTERVAL_LEVEL,
    intervals,
  };
}

/** The first bucket of the training range on a day (its local midnight, or `trainFrom`). */
function startOfTrainingDay(input: ForecastInput, d: TrainingDay): number {
  for (let t = input.trainFrom; t < input.trainTo; t += BUCKET_MS) if (localSlot(t, input.timeZone).day === d.day) return t;
  return input.trainFrom;
}
