import { describe, expect, it } from 'vitest';
import { periods } from '../time/intervals';
import { startOfDate, startOfLocalDay } from '../time/zones';
import {
  type Contribution,
  dayBefore,
  type Employment,
  employmentContributions,
  evaluationContributions,
  shiftContributions,
  trainingContributions,
} from './people';
import { buildReport } from './report';

const ZONE = 'Europe/Paris';
const dayOf = (t: number) => startOfLocalDay(t, ZONE).date;
const startOf = (d: string) => startOfDate(d, ZONE);
const T0 = startOf('2026-03-02');
const H = 3_600_000;

const byMetric = (cs: Contribution[]) => Object.fromEntries(cs.map((c) => [c.metric, [c.numerator, c.denominator]]));

describe('a shift’s contributions', () => {
  const adh = { adherentMs: 6 * H, scheduledMs: 8 * H, workedOnQueueMs: 7 * H, scheduledOnQueueMs: 7 * H };
  it.each([
    [
      'attended, late',
      { status: 'attended', late: true, leftEarly: false } as const,
      { attendanceRate: [1, 1], lateArrivals: [1, 0], earlyLeaves: [0, 0], absences: [0, 0] },
    ],
    [
      'absent',
      { status: 'absent', late: false, leftEarly: false } as const,
      { attendanceRate: [0, 1], lateArrivals: [0, 0], earlyLeaves: [0, 0], absences: [1, 0] },
    ],
    [
      'in progress: in no denominator yet',
      { status: 'in_progress', late: true, leftEarly: false } as const,
      { attendanceRate: [0, 0], lateArrivals: [1, 0], earlyLeaves: [0, 0], absences: [0, 0] },
    ],
  ])('%s', (_, a, expected) => {
    const cs = shiftContributions({ agentId: 'ann', start: T0 }, a, adh);
    expect(byMetric(cs)).toMatchObject({ ...expected, adherence: [6 * H, 8 * H], conformance: [7 * H, 7 * H] });
    expect(cs.every((c) => c.at === T0 && c.agentId === 'ann')).toBe(true);
    expect(cs.every((c) => c.partial === (a.status === 'in_progress' ? true : undefined))).toBe(true);
  });
});

describe('evaluations and training', () => {
  it('an evaluation adds its points and counts once', () => {
    expect(byMetric(evaluationContributions({ agentId: 'ann', submittedAt: T0, numerator: 85, denominator: 100 }))).toEqual({
      qaScore: [85, 100],
      qaEvaluations: [1, 0],
    });
  });
  it('a training adds its hours, and its exam result when it had one', () => {
    expect(byMetric(trainingContributions({ agentId: 'ann', at: T0, hours: 3.5, examScore: 45, examMaxScore: 50 }))).toEqual({
      trainingHours: [3.5, 0],
      examScore: [0.9, 1],
    });
    expect(byMetric(trainingContributions({ agentId: 'ann', at: T0, hours: 2, examScore: null, examMaxScore: 100 }))).toEqual({
      trainingHours: [2, 0],
    });
  });
});

describe('headcount and attrition', () => {
  const march = periods(startOf('2026-03-01'), startOf('2026-04-01'), 'total', ZONE);
  const people: Employment[] = [
    { agentId: 'stays', hiredOn: '2025-01-01', leftOn: null },
    { agentId: 'leaves', hiredOn: null, leftOn: '2026-03-15' }, // last day 14 March
    { agentId: 'lastDayOfMarch', hiredOn: null, leftOn: '2026-04-01' }, // last day 31 March: left in March
    { agentId: 'joins', hiredOn: '2026-03-10', leftOn: null },
    { agentId: 'gone', hiredOn: null, leftOn: '2026-01-01' },
    { agentId: 'later', hiredOn: '2026-05-01', leftOn: null },
  ];
  const cs = employmentContributions(people, march, ['headcount', 'attritionRate'], dayOf, startOf);
  const sum = (metric: string, agentId?: string) =>
    cs
      .filter((c) => c.metric === metric && (!agentId || c.agentId === agentId))
      .reduce<[number, number]>((a, c) => [a[0] + c.numerator, a[1] + c.denominator], [0, 0]);

  it('headcount: employed on the day the period ends into', () => {
    expect(sum('headcount')).toEqual([2, 0]); // stays, joins
    expect(cs.filter((c) => c.metric === 'headcount').map((c) => c.agentId)).toEqual(['stays', 'joins']);
  });
  it('attrition: leavers over the average of the headcounts at both ends', () => {
    // Start: stays, leaves, lastDayOfMarch = 3; end: stays, joins = 2; average 2.5; leavers 2.
    expect(sum('attritionRate')).toEqual([2, 2.5]);
    expect(sum('attritionRate', 'leaves')).toEqual([1, 0.5]);
  });
  it('a leaver counts on their last day', () => {
    const leaver = cs.find((c) => c.metric === 'attritionRate' && c.agentId === 'leaves' && c.numerator === 1);
    expect(leaver?.at).toBe(startOf(dayBefore('2026-03-15')));
  });
  it('per day, leavers add up to the month’s', () => {
    const days = periods(startOf('2026-03-01'), startOf('2026-04-01'), 'day', ZONE);
    const daily = employmentContributions(people, days, ['attritionRate'], dayOf, startOf);
    expect(daily.filter((c) => c.numerator === 1).length).toBe(2);
  });
});

describe('person metrics in a report', () => {
  const teamOf: Record<string, string> = { ann: 't1', bob: 't1', cy: 't2' };
  const day = periods(T0, T0 + 24 * H, 'day', ZONE);
  const contributions: Contribution[] = [
    ...evaluationContributions({ agentId: 'ann', submittedAt: T0 + H, numerator: 90, denominator: 100 }),
    ...evaluationContributions({ agentId: 'bob', submittedAt: T0 + 2 * H, numerator: 0, denominator: 80 }),
    ...trainingContributions({ agentId: 'cy', at: T0, hours: 4, examScore: null, examMaxScore: 100 }),
    ...shiftContributions(
      { agentId: 'cy', start: T0 + 20 * H },
      { status: 'in_progress', late: false, leftEarly: false },
      { adherentMs: H, scheduledMs: H, workedOnQueueMs: H, scheduledOnQueueMs: H },
    ),
  ];
  const report = (groupBy: ('team' | 'agent')[], now = T0 + 48 * H) =>
    buildReport([], {
      metrics: ['qaScore', 'qaEvaluations', 'trainingHours', 'attendanceRate', 'adherence'],
      contributions,
      periods: day,
      groupBy,
      policyFor: () => {
        throw new Error('person metrics take no policy');
      },
      membershipOf: (agentId) => ({ teamId: teamOf[agentId] ?? null, siteId: null }),
      now,
    });

  it('sums numerators and denominators per group; counts and totals are their numerator', () => {
    const [t1, t2] = report(['team']);
    expect(t1?.group).toEqual({ teamId: 't1' });
    expect(t1?.metrics.qaScore).toMatchObject({ value: 0.5, numerator: 90, denominator: 180, unit: 'ratio' });
    expect(t1?.metrics.qaEvaluations).toMatchObject({ value: 2, numerator: 2, denominator: null });
    expect(t1?.metrics.trainingHours).toMatchObject({ value: 0, denominator: null, unit: 'hours' });
    expect(t2?.metrics.trainingHours).toMatchObject({ value: 4, numerator: 4 });
    expect(t2?.metrics.qaScore).toMatchObject({ value: null, numerator: 0, denominator: 0 });
  });
  it('a shift in progress makes its row partial; others are complete once the period ended', () => {
    const [t1, t2] = report(['team']);
    expect(t1?.metrics.attendanceRate?.status).toBe('complete');
    expect(t2?.metrics.attendanceRate).toMatchObject({ status: 'partial', value: null, denominator: 0 });
    expect(t2?.metrics.adherence).toMatchObject({ value: 1, status: 'partial' });
  });
  it('ungrouped, all agents in one row', () => {
    const [all] = report([]);
    expect(all?.metrics.qaEvaluations?.value).toBe(2);
    expect(all?.metrics.trainingHours?.value).toBe(4);
  });
  it('one row per agent', () => {
    expect(report(['agent']).map((r) => r.group.agentId)).toEqual(['ann', 'bob', 'cy']);
  });
});
