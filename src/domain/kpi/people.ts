import type { ShiftAdherence, ShiftAttendance } from '../people/attendance';
import type { Period } from '../time/intervals';
import type { PersonMetricId } from './catalog';

/**
 * People metrics (catalog `source` shifts, evaluations, training, employment) are sums of per-agent contributions:
 * each record of a person — a shift, an evaluation, a training — adds a numerator and a denominator to a metric at
 * an instant, and the report adds them up per period and group (report.ts), in the team and site the agent
 * belonged to at that instant. Pure: the records come from the service (src/services/kpis/people-source.ts).
 */
export interface Contribution {
  metric: PersonMetricId;
  agentId: string;
  /** The instant it counts at: the period containing it, and the agent's team and site then. */
  at: number;
  numerator: number;
  /** 0 for counts and totals. */
  denominator: number;
  /** The record is not final yet (a shift in progress or to come): the row is partial. */
  partial?: boolean;
}

const SHIFT_METRICS = ['attendanceRate', 'lateArrivals', 'earlyLeaves', 'absences', 'adherence', 'conformance'] as const;

/**
 * A shift's part in the attendance metrics, where it starts: an ended shift is attended or absent (出勤率's
 * denominator), late and left early count once, adherence and conformance add their times. A shift not ended yet
 * is in no denominator and makes the row partial; what it has shown so far (late, times) counts already.
 */
export function shiftContributions(
  shift: { agentId: string; start: number },
  a: Pick<ShiftAttendance, 'status' | 'late' | 'leftEarly'>,
  adh: Pick<ShiftAdherence, 'adherentMs' | 'scheduledMs' | 'workedOnQueueMs' | 'scheduledOnQueueMs'>,
): Contribution[] {
  const ended = a.status === 'attended' || a.status === 'absent';
  const values: Record<(typeof SHIFT_METRICS)[number], [number, number]> = {
    attendanceRate: ended ? [a.status === 'attended' ? 1 : 0, 1] : [0, 0],
    lateArrivals: [a.late ? 1 : 0, 0],
    earlyLeaves: [a.leftEarly ? 1 : 0, 0],
    absences: [a.status === 'absent' ? 1 : 0, 0],
    adherence: [adh.adherentMs, adh.scheduledMs],
    conformance: [adh.workedOnQueueMs, adh.scheduledOnQueueMs],
  };
  return SHIFT_METRICS.map((metric) => ({
    metric,
    agentId: shift.agentId,
    at: shift.start,
    numerator: values[metric][0],
    denominator: values[metric][1],
    ...(ended ? {} : { partial: true }),
  }));
}

/** A submitted review evaluation's part in `qaScore` (its points earned and possible) and `qaEvaluations`. */
export function evaluationContributions(e: {
  agentId: string;
  submittedAt: number;
  numerator: number;
  denominator: number;
}): Contribution[] {
  return [
    { metric: 'qaScore', agentId: e.agentId, at: e.submittedAt, numerator: e.numerator, denominator: e.denominator },
    { metric: 'qaEvaluations', agentId: e.agentId, at: e.submittedAt, numerator: 1, denominator: 0 },
  ];
}

/** A training record's hours and, when it had an exam, its result (score / maximum) — on the day it was completed. */
export function trainingContributions(t: {
  agentId: string;
  at: number;
  hours: number;
  examScore: number | null;
  examMaxScore: number;
}): Contribution[] {
  const out: Contribution[] = [{ metric: 'trainingHours', agentId: t.agentId, at: t.at, numerator: t.hours, denominator: 0 }];
  if (t.examScore !== null && t.examMaxScore > 0) {
    out.push({ metric: 'examScore', agentId: t.agentId, at: t.at, numerator: t.examScore / t.examMaxScore, denominator: 1 });
  }
  return out;
}

/** An agent's employment: days as YYYY-MM-DD; `leftOn` is the first day no longer employed (null: still employed). */
export interface Employment {
  agentId: string;
  hiredOn: string | null;
  leftOn: string | null;
}

export const employedOn = (e: Employment, day: string): boolean =>
  (e.hiredOn === null || e.hiredOn <= day) && (e.leftOn === null || e.leftOn > day);

/**
 * Headcount and attrition per period. `dayOf` gives the tenant's day of an instant, `startOf` the instant a day
 * starts. A period's first day is the day of its start, its end day the day starting at (or containing) its end.
 * - headcount: employed on the end day — at the period's end — counted in the team of the period's last instant;
 * - attritionRate: the leavers (left during the period: `leftOn` after the first day, at most the end day), in the
 *   team of their last day, over the average headcount (½ per agent employed on the first day, in the team then,
 *   and ½ per agent employed on the end day).
 */
export function employmentContributions(
  people: readonly Employment[],
  periods: readonly Period[],
  metrics: readonly PersonMetricId[],
  dayOf: (instant: number) => string,
  startOf: (day: string) => number,
): Contribution[] {
  const out: Contribution[] = [];
  const headcount = metrics.includes('headcount');
  const attrition = metrics.includes('attritionRate');
  for (const p of periods) {
    const first = dayOf(p.start);
    const endDay = dayOf(p.end);
    const last = p.end - 1;
    for (const e of people) {
      const atEnd = employedOn(e, endDay);
      if (headcount && atEnd) out.push({ metric: 'headcount', agentId: e.agentId, at: last, numerator: 1, denominator: 0 });
      if (!attrition) continue;
      const atStart = employedOn(e, first);
      if (atStart) out.push({ metric: 'attritionRate', agentId: e.agentId, at: p.start, numerator: 0, denominator: 0.5 });
      if (atEnd) out.push({ metric: 'attritionRate', agentId: e.agentId, at: last, numerator: 0, denominator: 0.5 });
      if (e.leftOn !== null && e.leftOn > first && e.leftOn <= endDay) {
        const lastDay = Math.min(Math.max(startOf(dayBefore(e.leftOn)), p.start), last);
        out.push({ metric: 'attritionRate', agentId: e.agentId, at: lastDay, numerator: 1, denominator: 0 });
      }
    }
  }
  return out;
}

/** The day before a YYYY-MM-DD day. */
export function dayBefore(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
