import { describe, expect, it } from 'vitest';
import type { InteractionFacts } from '../calls/records';
import { computeByCategory, computeMetric, type KpiPolicy, satisfiedFloor } from './compute';
import { emptyFacts, factsFromRecords, mergeAll, parseSurveyScoreKey, surveyScoreKey } from './facts';
import { packCell, unpackCell } from './packed';
import { buildReport } from './report';
import { interaction, MIN, POLICY, segment, T0 } from './test-records';

/** CSAT with a satisfied threshold per survey, and complaints by disposition category (issue 10 §3). */

type Survey = NonNullable<InteractionFacts['survey']>;
const survey = (score: number, scaleMax: number, satisfiedScore?: number): Survey => ({
  score,
  scaleMin: 1,
  scaleMax,
  ...(satisfiedScore === undefined ? {} : { satisfiedScore }),
  at: T0,
});

/** The facts of calls each handled by one agent segment, with these surveys and dispositions. */
function factsOf(calls: { survey?: Survey; category?: string; agentId?: string }[]) {
  const segments = calls.map((c, i) => segment({ interactionId: `c${i}`, agentId: c.agentId ?? 'a1' }));
  const interactions = calls.map((c, i) =>
    interaction(`c${i}`, {
      survey: c.survey ?? null,
      disposition:
        c.category === undefined
          ? null
          : { resolved: true, code: null, ...(c.category === '' ? {} : { category: c.category }), at: T0 + MIN },
    }),
  );
  return factsFromRecords({ segments, interactions }, { asOf: T0 + 60 * MIN });
}
const queueFacts = (cells: ReturnType<typeof factsOf>) =>
  mergeAll(cells.filter((c) => c.queueId !== null && c.agentId === null).map((c) => c.facts));

describe('csat: the satisfied threshold of each response', () => {
  it.each([
    // [score, scale max, the survey's own threshold, the request's csatSatisfiedScore, satisfied?, decided by]
    [4, 5, undefined, null, true, 'top2box'],
    [3, 5, undefined, null, false, 'top2box'],
    [8, 10, undefined, null, false, 'top2box'],
    [9, 10, undefined, null, true, 'top2box'],
    [3, 5, undefined, 3, true, 'policy'],
    [4, 5, undefined, 5, false, 'policy'],
    [3, 5, 3, null, true, 'survey'],
    [4, 5, 5, null, false, 'survey'],
    // The survey's own threshold wins over the request's, both ways.
    [3, 5, 3, 5, true, 'survey'],
    [4, 5, 5, 3, false, 'survey'],
    [7, 10, 7, null, true, 'survey'],
    [7, 10, 8, 6, false, 'survey'],
  ] as const)('score %d on 1–%d, own threshold %s, request %s → satisfied %s (%s)', (score, max, own, request, ok, by) => {
    const policy: KpiPolicy = { ...POLICY, csatSatisfiedScore: request };
    const s = survey(score, max, own);
    expect(satisfiedFloor(s, policy).by).toBe(by);
    const v = computeMetric('csat', queueFacts(factsOf([{ survey: s }])), policy);
    expect(v).toMatchObject({ numerator: ok ? 1 : 0, denominator: 1 });
  });

  it('facts keys: three parts without a threshold of its own (as rollups already stored them), four with one', () => {
    expect(surveyScoreKey(survey(4, 5))).toBe('1|5|4');
    expect(surveyScoreKey(survey(4, 5, 3))).toBe('1|5|4|3');
    expect(parseSurveyScoreKey('1|5|4')).toEqual({ scaleMin: 1, scaleMax: 5, score: 4, satisfiedScore: null });
    expect(parseSurveyScoreKey('0|10|7.5|7')).toEqual({ scaleMin: 0, scaleMax: 10, score: 7.5, satisfiedScore: 7 });
    const f = queueFacts(factsOf([{ survey: survey(4, 5) }, { survey: survey(4, 5, 5) }, { survey: survey(4, 5, 5) }]));
    expect(f.quality.surveyScores).toEqual({ '1|5|4': 1, '1|5|4|5': 2 });
  });

  it('a rollup row stored before per-survey thresholds and categories reads as it did', () => {
    // A packed tree as a flush wrote it before this change: three-part keys, no dispositionsByCategory.
    const stored = {
      facts: { quality: { surveys: 3, dispositioned: 2, resolved: 1, surveyScores: { '1|5|5': 1, '1|5|4': 1, '1|5|2': 1 } } },
      waitKeys: [],
      waitTotals: [],
    };
    const f = unpackCell(stored);
    expect(f.quality.dispositionsByCategory).toEqual({});
    expect(computeMetric('csat', f, POLICY)).toMatchObject({ numerator: 2, denominator: 3 });
    expect(computeMetric('csat', f, { ...POLICY, csatSatisfiedScore: 2 })).toMatchObject({ numerator: 3, denominator: 3 });
    expect(computeMetric('csatMean', f, POLICY)).toMatchObject({ numerator: 11, denominator: 3 });
    expect(computeMetric('complaints', f, { ...POLICY, complaintCategories: ['billing'] })).toMatchObject({ value: 0 });
    expect(computeMetric('complaintRate', f, { ...POLICY, complaintCategories: ['billing'] })).toMatchObject({
      numerator: 0,
      denominator: 2,
    });
    // New facts round-trip through the packed form.
    const fresh = queueFacts(factsOf([{ survey: survey(3, 5, 3), category: 'billing' }, { category: 'info' }]));
    expect(unpackCell(JSON.parse(JSON.stringify(packCell(fresh))))).toEqual(fresh);
  });

  it('csatMean is the mean score whatever the thresholds', () => {
    const f = queueFacts(factsOf([{ survey: survey(4, 5, 5) }, { survey: survey(2, 5) }, { survey: survey(3, 5, 2) }]));
    expect(computeMetric('csatMean', f, POLICY)).toMatchObject({ numerator: 9, denominator: 3, value: 3 });
  });
});

describe('complaints: dispositions by category, the complaint set applied when asked', () => {
  const calls = [
    { category: 'billing', agentId: 'a1' },
    { category: 'billing', agentId: 'a2' },
    { category: 'rude_agent', agentId: 'a1' },
    { category: 'info', agentId: 'a1' },
    { category: '', agentId: 'a2' }, // dispositioned, no category
    { agentId: 'a2' }, // not dispositioned
  ];
  const cells = factsOf(calls);
  const f = queueFacts(cells);

  it('facts count every category (none for a disposition without one)', () => {
    expect(f.quality.dispositioned).toBe(5);
    expect(f.quality.dispositionsByCategory).toEqual({ billing: 2, rude_agent: 1, info: 1 });
  });

  it.each([
    [[], 0],
    [['billing'], 2],
    [['billing', 'rude_agent'], 3],
    [['billing', 'billing'], 2],
    [['nowhere'], 0],
  ] as const)('complaint categories %j → %d complaints of 5 dispositioned calls', (categories, n) => {
    const p: KpiPolicy = { ...POLICY, complaintCategories: categories };
    expect(computeMetric('complaints', f, p)).toEqual({ value: n, numerator: n, denominator: null, unit: 'count' });
    expect(computeMetric('complaintRate', f, p)).toEqual({ value: n / 5, numerator: n, denominator: 5, unit: 'ratio' });
  });

  it('byCategory lists every complaint category, zeros included', () => {
    const p: KpiPolicy = { ...POLICY, complaintCategories: ['rude_agent', 'billing', 'never_seen'] };
    expect(computeByCategory('complaints', f, p)).toEqual({
      billing: { value: 2, numerator: 2, denominator: null, unit: 'count' },
      never_seen: { value: 0, numerator: 0, denominator: null, unit: 'count' },
      rude_agent: { value: 1, numerator: 1, denominator: null, unit: 'count' },
    });
    expect(computeByCategory('complaintRate', f, p).billing).toEqual({ value: 0.4, numerator: 2, denominator: 5, unit: 'ratio' });
    expect(computeByCategory('complaints', emptyFacts(), { ...POLICY })).toEqual({});
  });

  it('per agent: each complaint with the last agent who handled the call, with byCategory beside the value', () => {
    const transferred = factsFromRecords(
      {
        segments: [
          segment({ interactionId: 'x', agentId: 'a1', connectedAt: T0 }),
          segment({ interactionId: 'x', agentId: 'a2', connectedAt: T0 + 2 * MIN }),
        ],
        interactions: [interaction('x', { disposition: { resolved: false, code: null, category: 'billing', at: T0 + 9 * MIN } })],
      },
      { asOf: T0 + 60 * MIN },
    );
    const policy: KpiPolicy = { ...POLICY, complaintCategories: ['billing', 'rude_agent'] };
    const rows = buildReport([...cells, ...transferred], {
      metrics: ['complaints', 'complaintRate'],
      periods: [{ start: T0, end: T0 + 60 * MIN }],
      groupBy: ['agent'],
      policyFor: () => policy,
      membershipOf: () => ({ teamId: null, siteId: null }),
      now: T0 + 2 * 60 * MIN,
    });
    const of = (agentId: string) => rows.find((r) => r.group.agentId === agentId)?.metrics;
    expect(of('a1')?.complaints).toMatchObject({ value: 2, byCategory: { billing: { value: 1 }, rude_agent: { value: 1 } } });
    expect(of('a1')?.complaintRate).toMatchObject({ numerator: 2, denominator: 3 });
    // a2: one billing complaint of its own and the transferred call's (a2 handled it last).
    expect(of('a2')?.complaints).toMatchObject({ value: 2, byCategory: { billing: { value: 2 }, rude_agent: { value: 0 } } });
    expect(of('a2')?.complaintRate).toMatchObject({ numerator: 2, denominator: 3 });
  });
});
