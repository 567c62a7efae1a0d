import { type LocalDay, SLOTS_PER_DAY, sum } from './series';

/**
 * The forecasting methods, simplest first (a tie in the backtest goes to the simpler one). Each is fitted on
 * training days and gives, for any later day, the offered volume per real 15 minutes of each local quarter hour.
 *
 * - `seasonalNaive`: the same quarter hour of the last usable same weekday (last week, or the one before when last
 *   week's was a holiday or an outlier day).
 * - `seasonalMean`: the mean of that quarter hour over the last {@link RECENT_WEEKS} usable same weekdays.
 * - `holtWinters`: daily totals by Holt-Winters (level, damped trend, a multiplicative weekly season of 7 days), its
 *   parameters chosen by the least one-step-ahead squared error over a grid; each day's total spread over the day
 *   by the weekday's intraday profile (shares of the day per quarter hour over the last {@link RECENT_WEEKS} usable
 *   same weekdays, volume-weighted). The trend is what the others lack.
 */
export const FORECAST_METHODS = ['seasonalNaive', 'seasonalMean', 'holtWinters'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

/** How many recent same weekdays the seasonal mean, the intraday profile and the AHT read. */
export const RECENT_WEEKS = 4;

/** Why a training day is left out of fitting and scoring. */
export type Exclusion = 'holiday' | 'outlier';

/** A day of training: its actuals, and the offered volume a model learns from (interval outliers replaced). */
export interface TrainingDay extends LocalDay {
  excluded: Exclusion | null;
  /** `offered` with each outlying quarter hour replaced by its weekday's usual value (src/domain/forecast/clean.ts). */
  clean: number[];
}

/** A fitted method: a day (local day number and ISO weekday) → offered per real 15 minutes for each of its 96 slots. */
export type DayForecaster = (day: number, weekday: number) => number[];

const rate = (d: TrainingDay, slot: number) => (d.clean[slot] ?? 0) / (d.buckets[slot] ?? 1);

/** The usable days of a weekday, latest first; all usable days when that weekday has none. */
function recentOf(days: readonly TrainingDay[], weekday: number): TrainingDay[] {
  const usable = days.filter((d) => d.excluded === null);
  const same = usable.filter((d) => d.weekday === weekday);
  return (same.length > 0 ? same : usable).reverse();
}

/** Per slot, the mean rate of the first `take` days (latest first) that have the slot (a DST-skipped one has not). */
function slotMeans(recent: readonly TrainingDay[], take: number): number[] {
  const out = new Array<number>(SLOTS_PER_DAY).fill(0);
  for (let s = 0; s < SLOTS_PER_DAY; s++) {
    let n = 0;
    let total = 0;
    for (const d of recent) {
      if ((d.buckets[s] ?? 0) === 0) continue;
      total += rate(d, s);
      if (++n >= take) break;
    }
    out[s] = n > 0 ? total / n : 0;
  }
  return out;
}

function seasonal(days: readonly TrainingDay[], take: number): DayForecaster {
  const byWeekday = new Map<number, number[]>();
  return (_day, weekday) => {
    let f = byWeekday.get(weekday);
    if (!f) {
      f = slotMeans(recentOf(days, weekday), take);
      byWeekday.set(weekday, f);
    }
    return f;
  };
}

/** The weekday's intraday profile: each slot's share of the day's volume per real 15 minutes (sums to 1 over a normal day; all 0 when the weekday had no volume). */
export function intradayProfile(days: readonly TrainingDay[], weekday: number): number[] {
  const recent = recentOf(days, weekday).slice(0, RECENT_WEEKS);
  const totals = new Array<number>(SLOTS_PER_DAY).fill(0);
  let all = 0;
  for (const d of recent) {
    for (let s = 0; s < SLOTS_PER_DAY; s++) totals[s] = (totals[s] ?? 0) + (d.clean[s] ?? 0);
    all += sum(d.clean);
  }
  // A slot's share is per real 15 minutes: a day with the slot twice (fall back) gives half of its sum to each.
  return totals.map((t, s) => {
    const buckets = sum(recent.map((d) => d.buckets[s] ?? 0));
    return all > 0 && buckets > 0 ? t / all / (buckets / recent.length) : 0;
  });
}

/** Holt-Winters state after a pass over the daily totals. */
interface HoltWintersFit {
  level: number;
  trend: number;
  season: number[];
  phi: number;
  sse: number;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7];
const BETAS = [0, 0.05, 0.1, 0.2, 0.3];
const GAMMAS = [0.05, 0.1, 0.2, 0.4];
const PHIS = [0.8, 0.9, 0.98, 1];
const SEASON = 7;
const SEASON_EPSILON = 1e-9;

/**
 * One pass of Holt-Winters with a damped trend and a multiplicative weekly season (a weekday is a share of the
 * week's level, so the pattern grows with the volume) over daily totals. A null total (a day left out) takes the
 * one-step forecast as its value, so it moves nothing and adds no error; a weekday whose season is 0 (closed) tells
 * nothing about the level. Initialised on the first week: level its mean, trend 0, season each day's ratio to it.
 */
export function holtWintersPass(
  totals: readonly (number | null)[],
  alpha: number,
  beta: number,
  gamma: number,
  phi: number,
): HoltWintersFit {
  const first = totals.slice(0, SEASON).filter((v): v is number => v !== null);
  const anyKnown = totals.filter((v): v is number => v !== null);
  let level = first.length > 0 ? sum(first) / first.length : anyKnown.length > 0 ? sum(anyKnown) / anyKnown.length : 0;
  let trend = 0;
  const season = Array.from({ length: SEASON }, (_, i) => {
    const v = totals[i];
    return v === null || v === undefined || level <= 0 ? 1 : v / level;
  });
  let sse = 0;
  for (let t = SEASON; t < totals.length; t++) {
    const i = t % SEASON;
    const s = season[i] ?? 1;
    const base = level + phi * trend;
    const predicted = base * s;
    const known = totals[t];
    const y = known === null || known === undefined ? predicted : known;
    sse += (y - predicted) ** 2;
    const nextLevel = s > SEASON_EPSILON ? alpha * (y / s) + (1 - alpha) * base : base;
    trend = beta * (nextLevel - level) + (1 - beta) * phi * trend;
    level = nextLevel;
    if (level > 0) season[i] = gamma * (y / level) + (1 - gamma) * s;
  }
  return { level, trend, season, phi, sse };
}

/** The grid's best fit (least one-step squared error; the first of equals, so the same data always gives the same fit). */
export function fitHoltWinters(totals: readonly (number | null)[]): HoltWintersFit {
  let best: HoltWintersFit | null = null;
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS)
        for (const phi of PHIS) {
          const fit = holtWintersPass(totals, alpha, beta, gamma, phi);
          if (best === null || fit.sse < best.sse) best = fit;
        }
  return best as HoltWintersFit;
}

/** The fitted daily total `h` days after the last training day (at season position `position`), never below 0. */
export function holtWintersTotal(fit: HoltWintersFit, h: number, position: number): number {
  let damp = 0;
  let p = 1;
  for (let i = 1; i <= h; i++) {
    p *= fit.phi;
    damp += p;
  }
  return Math.max(0, (fit.level + damp * fit.trend) * (fit.season[position % SEASON] ?? 1));
}

function holtWinters(days: readonly TrainingDay[]): DayForecaster {
  const first = days[0]?.day ?? 0;
  const last = days[days.length - 1]?.day ?? 0;
  const fit = fitHoltWinters(days.map((d) => (d.excluded === null ? sum(d.clean) : null)));
  const profiles = new Map<number, number[]>();
  return (day, weekday) => {
    let profile = profiles.get(weekday);
    if (!profile) {
      profile = intradayProfile(days, weekday);
      profiles.set(weekday, profile);
    }
    const total = holtWintersTotal(fit, Math.max(1, day - last), day - first);
    return profile.map((share) => share * total);
  };
}

/** The fewest training days each method is fitted on. */
export const MIN_TRAINING_DAYS: Record<ForecastMethod, number> = { seasonalNaive: 1, seasonalMean: 1, holtWinters: 14 };

/**
 * A method fitted on training days (consecutive, oldest first); null when they are too few for it or none is
 * usable. The forecaster is for days after the last training day.
 */
export function fitMethod(method: ForecastMethod, days: readonly TrainingDay[]): DayForecaster | null {
  if (days.length < MIN_TRAINING_DAYS[method] || !days.some((d) => d.excluded === null)) return null;
  switch (method) {
    case 'seasonalNaive':
      return seasonal(days, 1);
    case 'seasonalMean':
      return seasonal(days, RECENT_WEEKS);
    case 'holtWinters':
      return holtWinters(days);
  }
}

/** Shrinks a thin quarter hour's AHT towards its weekday's: as if it had this many more calls at the weekday's AHT. */
const AHT_PRIOR_CALLS = 5;

/**
 * AHT per slot of a weekday, volume-weighted: Σ handle time / Σ handled segments of that quarter hour over the last
 * {@link RECENT_WEEKS} usable same weekdays, shrunk towards the weekday's own AHT ({@link AHT_PRIOR_CALLS}); the
 * weekday's where the slot had no call, the whole training's where the weekday had none; null when no call was handled.
 */
export function fitAht(days: readonly TrainingDay[]): (weekday: number) => (number | null)[] {
  const usable = days.filter((d) => d.excluded === null);
  const overall = ratio(sum(usable.map((d) => sum(d.handleSeconds))), sum(usable.map((d) => sum(d.handled))));
  const byWeekday = new Map<number, (number | null)[]>();
  return (weekday) => {
    let out = byWeekday.get(weekday);
    if (!out) {
      const recent = usable
        .filter((d) => d.weekday === weekday)
        .reverse()
        .slice(0, RECENT_WEEKS);
      const dayAht = ratio(sum(recent.map((d) => sum(d.handleSeconds))), sum(recent.map((d) => sum(d.handled)))) ?? overall;
      out = Array.from({ length: SLOTS_PER_DAY }, (_, s) => {
        const seconds = sum(recent.map((d) => d.handleSeconds[s] ?? 0));
        const handled = sum(recent.map((d) => d.handled[s] ?? 0));
        if (dayAht === null) return null;
        return (seconds + AHT_PRIOR_CALLS * dayAht) / (handled + AHT_PRIOR_CALLS);
      });
      byWeekday.set(weekday, out);
    }
    return out;
  };
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
