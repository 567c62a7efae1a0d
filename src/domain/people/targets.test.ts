import { describe, expect, it } from 'vitest';
import { reviewTarget, suggestTarget, type Target, targetFor } from './targets';

const targets: Target[] = [
  { metric: 'agentAht', teamId: null, agentId: null, value: 300_000 },
  { metric: 'agentAht', teamId: 't1', agentId: null, value: 280_000 },
  { metric: 'agentAht', teamId: 't1', agentId: 'ann', value: 260_000 },
  { metric: 'csat', teamId: 't2', agentId: null, value: 0.8 },
];

describe('targets cascade from the centre to the team to the agent', () => {
  const cases: [string, string, string | null, ReturnType<typeof targetFor>][] = [
    ['the agent’s own', 'ann', 't1', { value: 260_000, from: 'agent' }],
    ['the team’s', 'bob', 't1', { value: 280_000, from: 'team' }],
    ['the centre’s for another team', 'cat', 't9', { value: 300_000, from: 'center' }],
    ['the centre’s for an agent without a team', 'dan', null, { value: 300_000, from: 'center' }],
  ];
  for (const [name, agentId, teamId, expected] of cases) {
    it(name, () => expect(targetFor(targets, 'agentAht', { agentId, teamId })).toEqual(expected));
  }
  it('none set at any level', () => expect(targetFor(targets, 'csat', { agentId: 'ann', teamId: 't1' })).toBeNull());
});

describe('suggested targets: the team average, 10 % easier, rounded to the easier side', () => {
  it.each([
    // AHT (lower is better) 300 s average → 330 s; 312.4 s → 343.64 s → up to 345 s.
    [[280_000, 320_000], { higherIsBetter: false, unit: 'ms' as const }, 330_000],
    [[312_400], { higherIsBetter: false, unit: 'ms' as const }, 345_000],
    // Service level (higher is better) 0.9 → 0.81; 0.8567 → 0.77103 → down to 0.77.
    [[0.85, 0.95], { higherIsBetter: true, unit: 'ratio' as const }, 0.81],
    [[0.8567], { higherIsBetter: true, unit: 'ratio' as const }, 0.77],
    // Handled calls: 412.5 → 371.25 → 371; a margin of 0 keeps the average, still rounded down.
    [[400, 425], { higherIsBetter: true, unit: 'count' as const }, 371],
    [[400, 425], { higherIsBetter: true, unit: 'count' as const, marginPercent: 0 }, 412],
    // Training hours 13.7 → 12.33 → down to 12 (half hours).
    [[12.4, 15], { higherIsBetter: true, unit: 'hours' as const }, 12],
  ])('%j with %j → %d', (values, opts, expected) => expect(suggestTarget(values, opts)).toBe(expected));
  it('nothing to suggest from nothing', () => expect(suggestTarget([], { higherIsBetter: true, unit: 'ratio' })).toBeNull());
});

describe('the quarterly review', () => {
  it.each([
    [0.8, [0.9, 0.85, 0.95, 0.81, 0.88, 0.9, 0.92, 0.83, 0.86, 0.99], true, 'too_easy', 10],
    [0.95, [0.9, 0.85, 0.8, 0.81, 0.88, 0.9, 0.92, 0.83, 0.86, 0.96], true, 'too_hard', 1],
    [0.88, [0.9, 0.85, 0.8, 0.81, 0.88, 0.9, 0.92, 0.83, null, 0.96], true, 'fine', 5],
    [280_000, [250_000, 290_000, 300_000, 270_000], false, 'fine', 2],
  ])('target %d: %s', (target, achieved, higherIsBetter, verdict, met) => {
    expect(reviewTarget(target, achieved, { higherIsBetter })).toMatchObject({ verdict, met });
  });
});
