import { localParts } from '../time/zones';

/** 15-minute slots in a week (Monday 00:00 local first). */
export const WEEK_SLOTS = 7 * 96;

/** The slot of the week an instant falls in, in a zone (0 = Monday 00:00–00:15 local). */
export function weekSlotOf(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  return weekday * 96 + p.hour * 4 + Math.floor(p.minute / 15);
}

/** One 15-minute period of a measure's history (a KPI row): its numerator and denominator (null for counts). */
export interface BaselinePeriod {
  start: number;
  numerator: number;
  denominator: number | null;
}

/**
 * The normal value of a measure over the hour ending at each 15-minute slot of the week: for each past week,
 * the hour's value (a count: the sum of its four periods; a mean or ratio: their numerators over their
 * denominators), averaged over the weeks since the history began (the first week with anything in it; a quiet
 * hour after that counts as 0, a mean with no calls is skipped). Null where no week counts. This is what
 * an anomaly rule compares the last 60 minutes with (`AnomalyCondition`), until the staffing forecast replaces it.
 */
export function hourlyBaseline(
  periods: readonly BaselinePeriod[],
  timeZone: string,
  weekStart: (t: number) => number,
): (number | null)[] {
  // week → slot → [numerator, denominator]
  const weeks = new Map<number, Map<number, [number, number | null]>>();
  for (const p of periods) {
    const w = weekStart(p.start);
    let slots = weeks.get(w);
    if (!slots) {
      slots = new Map();
      weeks.set(w, slots);
    }
    slots.set(weekSlotOf(p.start, timeZone), [p.numerator, p.denominator]);
  }
  let first = Number.POSITIVE_INFINITY;
  for (const p of periods) if (p.numerator !== 0 || (p.denominator ?? 0) !== 0) first = Math.min(first, weekStart(p.start));
  const out: (number | null)[] = [];
  for (let slot = 0; slot < WEEK_SLOTS; slot++) {
    let sum = 0;
    let n = 0;
    for (const [week, slots] of weeks) {
      if (week < first) continue;
      let num = 0;
      let den: number | null = null;
      let any = false;
      for (let k = 0; k < 4; k++) {
        const cell = slots.get((slot - k + WEEK_SLOTS) % WEEK_SLOTS);
        if (!cell) continue;
        any = true;
        num += cell[0];
        if (cell[1] !== null) den = (den ?? 0) + cell[1];
      }
      if (!any) continue;
      if (den === null) {
        sum += num;
        n += 1;
      } else if (den > 0) {
        sum += num / den;
        n += 1;
      }
    }
    out.push(n === 0 ? null : sum / n);
  }
  return out;
}
