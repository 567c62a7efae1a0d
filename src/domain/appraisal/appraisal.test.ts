import { describe, expect, it } from 'vitest';
import { exampleCategories } from '../../../test/fixtures/appraisal-rule';
import { type AppraisalRuleBody, AppraisalRuleBodySchema, appraisalRuleProblems } from './rules';
import { type AgentPeriod, formatValue, scoreAppraisal } from './score';

const rule = (over: Partial<Record<string, unknown>> = {}): AppraisalRuleBody =>
  AppraisalRuleBodySchema.parse({
    name: 'Monthly',
    categories: exampleCategories(),
    ...over,
  });

const sample = (value: number | null, denominator: number | null = 100) => ({ value, numerator: value ?? 0, denominator });

function agent(
  id: string,
  teamId: string,
  aht: number | null,
  ahtCalls: number,
  occupancy: number,
  csat: number | null,
  over: Partial<AgentPeriod> = {},
): AgentPeriod {
  return {
    agentId: id,
    teamId,
    metrics: { agentAht: sample(aht, ahtCalls), utilization: sample(occupancy), csat: sample(csat, csat === null ? 0 : 20) },
    ...over,
  };
}

describe('appraisal rules: what is refused, with a pointer', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'category weights',
      { categories: [{ ...rule().categories[0], weight: 50 }, rule().categories[1]] },
      '/categories',
      /sum to 90/,
    ],
    [
      'metric weights',
      {
        categories: [
          {
            ...rule().categories[0],
            metrics: [{ ...rule().categories[0]?.metrics[0], weight: 40 }, rule().categories[0]?.metrics[1]],
          },
          rule().categories[1],
        ],
      },
      '/categories/0/metrics',
      /sum to 90/,
    ],
    [
      'unknown metric',
      {
        categories: [
          {
            id: 'x',
            weight: 100,
            metrics: [{ metric: 'happiness', weight: 100, scoring: { type: 'linear', worst: 0, best: 1 } }],
          },
        ],
      },
      '/categories/0/metrics/0/metric',
      /not a metric/,
    ],
    [
      'a volume',
      {
        categories: [
          { id: 'x', weight: 100, metrics: [{ metric: 'offered', weight: 100, scoring: { type: 'linear', worst: 0, best: 1 } }] },
        ],
      },
      '/categories/0/metrics/0/metric',
      /volume/,
    ],
    [
      'direction',
      {
        categories: [
          {
            id: 'x',
            weight: 100,
            metrics: [{ metric: 'agentAht', weight: 100, scoring: { type: 'linear', worst: 200_000, best: 400_000 } }],
          },
        ],
      },
      '/categories/0/metrics/0/scoring',
      /lower is better/,
    ],
    [
      'target missing',
      {
        categories: [
          {
            id: 'x',
            weight: 100,
            metrics: [{ metric: 'agentAht', weight: 100, scoring: { type: 'linear', worst: 400_000, best: 'target' } }],
          },
        ],
      },
      '/categories/0/metrics/0/target',
      /has none/,
    ],
    [
      'bands out of order',
      {
        categories: [
          {
            id: 'x',
            weight: 100,
            metrics: [
              {
                metric: 'utilization',
                weight: 100,
                scoring: {
                  type: 'bands',
                  bands: [
                    { from: 0.7, points: 60 },
                    { from: 0.85, points: 100 },
                  ],
                },
              },
            ],
          },
        ],
      },
      '/categories/0/metrics/0/scoring/bands/1/from',
      /best to the worst/,
    ],
    [
      'warnings on a ratio',
      {
        categories: [
          {
            id: 'x',
            weight: 100,
            metrics: [{ metric: 'utilization', weight: 100, warnings: 2, scoring: { type: 'linear', worst: 0.5, best: 0.9 } }],
          },
        ],
      },
      '/categories/0/metrics/0/warnings',
      /count metrics/,
    ],
    [
      'a category twice',
      {
        categories: [
          { ...rule().categories[0], weight: 50 },
          { ...rule().categories[0], weight: 50 },
        ],
      },
      '/categories/1/id',
      /twice/,
    ],
  ];
  for (const [name, over, pointer, detail] of cases) {
    it(name, () => {
      const problems = appraisalRuleProblems(rule(over));
      expect(problems).toEqual([expect.objectContaining({ pointer, detail: expect.stringMatching(detail) })]);
    });
  }
  it('a sound rule has none', () => expect(appraisalRuleProblems(rule())).toEqual([]));
});

describe('scoring agents', () => {
  it('points, categories and total, each with a sentence; team-relative targets; ties share a rank', () => {
    const team = [
      agent('ann', 't1', 280_000, 50, 0.9, 0.9),
      agent('bob', 't1', 340_000, 50, 0.75, 0.7),
      agent('cat', 't1', 280_000, 50, 0.9, 0.9),
    ];
    const [ann, bob, cat] = scoreAppraisal(rule(), team);
    // Ann: AHT at target (50 of 50), occupancy ≥ 85 % (50 of 50) → efficiency 100; CSAT target = team avg 0.833 × 0.9 = 0.75 → 0.9 ≥ target: 100.
    expect(ann?.categories).toEqual([
      { id: 'efficiency', weight: 60, score: 100, gated: false },
      { id: 'attitude', weight: 40, score: 100, gated: false },
    ]);
    expect(ann).toMatchObject({ total: 100, status: 'complete', rankInTeam: 1, rankInTenant: 1 });
    expect(cat).toMatchObject({ total: 100, rankInTeam: 1 });
    // Bob: AHT 340 s halfway between 400 s and 280 s: 25 of 50; occupancy 75 %: the 60 % band, 30 of 50 → 55;
    // CSAT 0.7 between 0.5 and the team target 0.75: 80 → total 0.6 × 55 + 0.4 × 80 = 65.
    expect(bob).toMatchObject({ total: 65, rankInTeam: 3, rankInTenant: 3 });
    expect(bob?.metrics[0]?.explanation).toBe('Agent average handle time 340 s against a target of 280 s: 25 of 50 points');
    expect(bob?.explanation.at(-1)).toBe('Total 65 of 100.');
  });

  it('missing data: reweighted by default, withheld when the rule says so', () => {
    const few = agent('dan', 't1', 300_000, 3, 0.9, null);
    const [reweighted] = scoreAppraisal(rule(), [few]);
    expect(reweighted?.metrics.map((m) => m.status)).toEqual(['incomplete', 'scored', 'incomplete']);
    expect(reweighted?.metrics[0]?.explanation).toMatch(/incomplete, over 3 \(at least 10 needed\)/);
    // Efficiency from occupancy alone (100), attitude unscored → the total is efficiency's.
    expect(reweighted).toMatchObject({ total: 100, status: 'reweighted', rankInTeam: 1 });
    const [withheld] = scoreAppraisal(rule({ missingData: 'withhold' }), [few]);
    expect(withheld).toMatchObject({ total: null, status: 'withheld', rankInTeam: null });
    expect(withheld?.explanation.at(-1)).toMatch(/withheld/);
  });

  it('a failed critical QA item zeroes its category; warnings forgive the first occurrences', () => {
    const [gated] = scoreAppraisal(rule(), [agent('eve', 't1', 280_000, 50, 0.9, 0.9, { criticalQaFails: 1 })]);
    expect(gated?.categories[1]).toEqual({ id: 'attitude', weight: 40, score: 0, gated: true });
    expect(gated?.total).toBe(60);
    // Breaks stand in for late arrivals (a count where fewer is better; it arrives with schedules): the scoring
    // itself does not look at the catalog's direction for a linear scale.
    const breaks = AppraisalRuleBodySchema.parse({
      name: 'Breaks',
      categories: [
        {
          id: 'attendance',
          weight: 100,
          metrics: [{ metric: 'breaks', weight: 100, warnings: 2, scoring: { type: 'linear', worst: 6, best: 0 } }],
        },
      ],
    });
    const [fine, over] = scoreAppraisal(breaks, [
      { agentId: 'a', teamId: null, metrics: { breaks: sample(2, null) } },
      { agentId: 'b', teamId: null, metrics: { breaks: sample(5, null) } },
    ]);
    expect(fine).toMatchObject({ total: 100, metrics: [expect.objectContaining({ warned: 2 })] });
    expect(over?.total).toBe(50);
    expect(over?.metrics[0]?.explanation).toBe('Breaks 5 (the first 2 only warned: counted as 3): 50 of 100 points');
  });

  it('formats values as people read them', () => {
    expect(formatValue(312_400, 'ms')).toBe('312 s');
    expect(formatValue(0.8567, 'ratio')).toBe('85.7 %');
    expect(formatValue(3, 'count')).toBe('3');
    expect(formatValue(7.25, 'hours')).toBe('7.3 h');
  });
});

describe('scoring: properties', () => {
  it('totals and categories stay within 0..100, ranks follow totals, and the order of agents changes nothing', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const agents = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, i) =>
        agent(
          `a${i}`,
          rnd() < 0.5 ? 't1' : 't2',
          rnd() < 0.1 ? null : 150_000 + rnd() * 400_000,
          Math.floor(rnd() * 40),
          rnd(),
          rnd() < 0.2 ? null : rnd(),
          { criticalQaFails: rnd() < 0.1 ? 1 : 0 },
        ),
      );
      const r = rule({ missingData: rnd() < 0.5 ? 'reweight' : 'withhold' });
      const out = scoreAppraisal(r, agents);
      for (const a of out) {
        if (a.total !== null) expect(a.total).toBeGreaterThanOrEqual(0);
        if (a.total !== null) expect(a.total).toBeLessThanOrEqual(100);
        for (const c of a.categories) if (c.score !== null) expect(c.score >= 0 && c.score <= 100).toBe(true);
        for (const b of out) {
          if (a.total !== null && b.total !== null && a.total > b.total)
            expect(a.rankInTenant as number).toBeLessThan(b.rankInTenant as number);
          if (a.total !== null && a.total === b.total) expect(a.rankInTenant).toBe(b.rankInTenant);
        }
      }
      const reversed = scoreAppraisal(r, [...agents].reverse());
      const byId = (xs: typeof out) => Object.fromEntries(xs.map((x) => [x.agentId, [x.total, x.rankInTeam, x.rankInTenant]]));
      expect(byId(reversed)).toEqual(byId(out));
    }
  });
});
