import { describe, expect, it } from 'vitest';
import {
  type FactMetricId,
  isMetricId,
  isPersonMetric,
  METRIC_IDS,
  METRICS,
  metricDefinition,
  PERSON_METRICS,
  PERSON_SOURCES,
  type PolicySetting,
} from './catalog';
import { computeMetric, isPartial, type KpiPolicy } from './compute';
import { emptyFacts, factsFromRecords, mergeAll } from './facts';
import { interaction, interval, MIN, POLICY, prng, segment, T0, visit } from './test-records';

/** The metric ids issue 8 names; the catalog may add more, never drop one. */
const REQUIRED = [
  'offered',
  'answered',
  'abandoned',
  'shortAbandons',
  'flowedOut',
  'unknown',
  'serviceLevel',
  'answerRate',
  'abandonRate',
  'asa',
  'avgQueueTime',
  'avgAbandonTime',
  'maxWait',
  'avgTalkTime',
  'avgHoldTime',
  'avgAcw',
  'aht',
  'avgTalkPlusAcw',
  'transferRate',
  'holdRate',
  'inbound',
  'outbound',
  'fcrDisposition',
  'fcrRepeatCaller',
  'csat',
  'csatMean',
  'surveyResponses',
  'ivrSelfServiceRate',
  'handled',
  'agentAht',
  'loggedInTime',
  'availableTime',
  'busyTime',
  'awayTime',
  'breaks',
  'breakTime',
  'occupancy',
  'utilization',
];

/** Resolves a catalog fact path against the facts' shape: `*` is any key, `{a,b}` a choice. */
function resolves(path: string, node: unknown): boolean {
  if (path === '') return true;
  const [head = '', ...rest] = path.split('.');
  if (typeof node !== 'object' || node === null) return false;
  const keys = head === '*' ? Object.keys(node) : head.startsWith('{') ? head.slice(1, -1).split(',') : [head];
  return keys.length > 0 && keys.every((k) => k in node && resolves(rest.join('.'), (node as Record<string, unknown>)[k]));
}

describe('the catalog', () => {
  it('has every required id, once each', () => {
    expect(new Set(METRIC_IDS).size).toBe(METRIC_IDS.length);
    for (const id of REQUIRED) expect(isMetricId(id), id).toBe(true);
    expect(isMetricId('nope')).toBe(false);
    expect(() => metricDefinition('nope' as never)).toThrow(RangeError);
  });

  it.each(METRICS.map((m) => [m.id, m] as const))('%s is complete and consistent', (_, m) => {
    expect(m.label.length).toBeGreaterThan(0);
    expect(m.definition.length).toBeGreaterThan(20);
    expect(m.numerator.length).toBeGreaterThan(0);
    expect(m.denominator === null).toBe(m.kind === 'count' || m.kind === 'total' || m.kind === 'snapshot');
    if (m.kind === 'ratio') expect(m.unit).toBe('ratio');
    if (m.kind === 'count') expect(m.unit).toBe('count');
    if (m.kind === 'total' || m.kind === 'max') expect(['ms', 'hours']).toContain(m.unit);
    if (m.kind === 'snapshot') expect(m.unit).toBe('count');
    if (m.kind === 'distinct') expect([m.unit, m.source]).toEqual(['count', 'calls']);
    expect(m.fromFacts).toBe(m.source === 'facts');
    expect(m.facts.length > 0).toBe(m.fromFacts);
    for (const path of m.facts) expect(resolves(path, emptyFacts()), path).toBe(true);
  });

  it('outside cell facts: the repeat-caller FCR and attempts per number (judged per call), and the person metrics from people records', () => {
    expect(METRICS.filter((m) => !m.fromFacts).map((m) => m.id)).toEqual([
      'fcrRepeatCaller',
      'attemptsPerNumber',
      ...PERSON_METRICS,
    ]);
    for (const id of ['fcrRepeatCaller', 'attemptsPerNumber'] as const) expect(metricDefinition(id).source).toBe('calls');
    for (const id of PERSON_METRICS) {
      const m = metricDefinition(id);
      expect(isPersonMetric(id)).toBe(true);
      expect((PERSON_SOURCES as readonly string[]).includes(m.source), id).toBe(true);
      expect([m.scope, m.facts, m.policy], id).toEqual(['agent', [], []]);
    }
    expect(isPersonMetric('aht')).toBe(false);
  });

  it('is plain JSON (it is served as it is)', () => {
    expect(JSON.parse(JSON.stringify(METRICS))).toEqual(METRICS);
  });
});

describe('policy dependencies the catalog declares', () => {
  const r = prng(7);
  const visits = Array.from({ length: 80 }, () =>
    visit(
      r.pick(['answered', 'abandoned', 'timeout', 'transferred', 'unknown', null] as const),
      r.int(0, 40) * 1000 + r.pick([0, 1]),
    ),
  );
  const facts = mergeAll(
    factsFromRecords(
      {
        visits,
        segments: [segment({ interactionId: 'c1' }), segment({ interactionId: 'o1' })],
        interactions: [
          interaction('c1', {
            survey: { score: 4, scaleMin: 1, scaleMax: 5, at: T0 },
            disposition: { resolved: false, code: null, category: 'billing', at: T0 },
          }),
          interaction('o1', {
            direction: 'outbound',
            startedAt: T0,
            disposition: { resolved: true, code: null, category: 'rpc', at: T0 },
          }),
        ],
        intervals: [interval('available', T0, T0 + MIN)],
      },
      { asOf: T0 },
    ).map((c) => c.facts),
  );
  const changes: Record<PolicySetting, (p: KpiPolicy) => KpiPolicy> = {
    thresholdSeconds: (p) => ({ ...p, thresholdSeconds: p.thresholdSeconds === 0 ? 30 : 0 }),
    shortAbandonSeconds: (p) => ({ ...p, shortAbandonSeconds: p.shortAbandonSeconds === 0 ? 30 : 0 }),
    abandonsInDenominator: (p) => ({ ...p, abandonsInDenominator: !p.abandonsInDenominator }),
    excludeShortAbandons: (p) => ({ ...p, excludeShortAbandons: !p.excludeShortAbandons }),
    flowOutsInDenominator: (p) => ({ ...p, flowOutsInDenominator: !p.flowOutsInDenominator }),
    abandonsWithinThresholdMet: (p) => ({ ...p, abandonsWithinThresholdMet: !p.abandonsWithinThresholdMet }),
    csatSatisfiedScore: (p) => ({ ...p, csatSatisfiedScore: p.csatSatisfiedScore ? null : 5 }),
    complaintCategories: (p) => ({ ...p, complaintCategories: p.complaintCategories?.length ? [] : ['billing'] }),
    rightPartyCategories: (p) => ({ ...p, rightPartyCategories: p.rightPartyCategories?.length ? [] : ['rpc'] }),
    fcrWindowHours: (p) => p,
  };

  it('a setting a metric does not list never changes it; each listed one changes it for some policy', () => {
    const policies: KpiPolicy[] = [POLICY, { ...POLICY, thresholdSeconds: 10, abandonsWithinThresholdMet: true }];
    for (const m of METRICS) {
      if (!m.fromFacts) continue;
      const id = m.id as FactMetricId;
      for (const [setting, change] of Object.entries(changes) as [PolicySetting, (p: KpiPolicy) => KpiPolicy][]) {
        const differs = policies.some(
          (p) => JSON.stringify(computeMetric(id, facts, p)) !== JSON.stringify(computeMetric(id, facts, change(p))),
        );
        if (setting !== 'fcrWindowHours')
          expect(differs, `${id} × ${setting}`).toBe((m.policy as readonly string[]).includes(setting));
      }
    }
  });

  it('partial: visit metrics while visits wait, handling metrics while segments are open, state metrics while intervals are', () => {
    const waiting = mergeAll(factsFromRecords({ visits: [visit(null, null)] }, { asOf: T0 }).map((c) => c.facts));
    expect(isPartial('offered', waiting)).toBe(true);
    expect(isPartial('aht', waiting)).toBe(false);
    const open = mergeAll(
      factsFromRecords(
        { segments: [segment({ disconnectedAt: null, talkMs: null })], intervals: [interval('busy', T0, null)] },
        { asOf: T0 + MIN },
      ).map((c) => c.facts),
    );
    expect(isPartial('aht', open)).toBe(true);
    expect(isPartial('occupancy', open)).toBe(true);
    expect(isPartial('serviceLevel', open)).toBe(false);
    expect(isPartial('serviceLevel', facts)).toBe(true);
    expect(isPartial('csat', facts)).toBe(false);
  });
});
