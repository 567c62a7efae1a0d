import type { TrainingDay } from './methods';
import { type LocalDay, SLOTS_PER_DAY, sum } from './series';

/**
 * What is kept out of training (docs/forecasts.md, Holidays and outliers):
 * - holidays: the dates of the tenant's holiday calendar, left out whole;
 * - outlier days: a day whose total is off its weekday's median by more than a factor of {@link DAY_FACTOR}
 *   ((total + 20) / (median + 20), so a quiet queue's noise is not an outlier), left out whole — an outage, a
 *   campaign, a storm. Judged only for weekdays with at least {@link MIN_PEERS} usable days;
 * - outlier quarter hours: on a usable day, a slot off the median of the same slot of its weekday by more than a
 *   factor of {@link SLOT_FACTOR} ((value + 5) / (median + 5)): replaced by that median for fitting.
 * Days left out are not scored by the backtest either; replaced quarter hours are scored as they were.
 */
export const DAY_FACTOR = 2;
export const SLOT_FACTOR = 3;
export const MIN_PEERS = 3;

/** The training days: holidays and outlier days marked, outlying quarter hours replaced in `clean`. */
export function cleanDays(days: readonly LocalDay[], holidays: ReadonlySet<string>): TrainingDay[] {
  const out: TrainingDay[] = days.map((d) => ({
    ...d,
    excluded: holidays.has(d.date) ? 'holiday' : null,
    clean: [...d.offered],
  }));
  for (const group of byWeekday(out)) {
    if (group.length < MIN_PEERS) continue;
    const median = medianOf(group.map((d) => sum(d.offered)));
    for (const d of group) {
      const r = (sum(d.offered) + 20) / (median + 20);
      if (r > DAY_FACTOR || r < 1 / DAY_FACTOR) d.excluded = 'outlier';
    }
  }
  for (const group of byWeekday(out)) {
    if (group.length < MIN_PEERS) continue;
    for (let s = 0; s < SLOTS_PER_DAY; s++) {
      const present = group.filter((d) => (d.buckets[s] ?? 0) > 0);
      if (present.length < MIN_PEERS) continue;
      const perBucket = (d: TrainingDay) => (d.offered[s] ?? 0) / (d.buckets[s] ?? 1);
      const median = medianOf(present.map(perBucket));
      for (const d of present) {
        const r = (perBucket(d) + 5) / (median + 5);
        if (r > SLOT_FACTOR || r < 1 / SLOT_FACTOR) d.clean[s] = median * (d.buckets[s] ?? 1);
      }
    }
  }
  return out;
}

/** Quarter hours whose value training replaced. */
export function replacedSlots(days: readonly TrainingDay[]): number {
  let n = 0;
  for (const d of days) if (d.excluded === null) for (let s = 0; s < SLOTS_PER_DAY; s++) if (d.clean[s] !== d.offered[s]) n++;
  return n;
}

/** The usable days (not holidays, not yet outliers) of each weekday. */
function byWeekday(days: TrainingDay[]): TrainingDay[][] {
  const groups = new Map<number, TrainingDay[]>();
  for (const d of days) {
    if (d.excluded !== null) continue;
    const g = groups.get(d.weekday) ?? [];
    g.push(d);
    groups.set(d.weekday, g);
  }
  return [...groups.values()];
}

/** The median (the mean of the middle two of an even count). */
export function medianOf(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}
