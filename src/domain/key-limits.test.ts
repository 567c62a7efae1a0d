import { describe, expect, it } from 'vitest';
import { limitAgentIds, limitTeamIds, reachOf, refuseImpersonalMetrics, seesResult } from './key-limits';

const HOUR = 3_600_000;

describe('the reach of a limited key', () => {
  // Agent a was in team T until hour 10, then moved away; b joined T at hour 10 and stays.
  const team = reachOf({ teamId: 'T' }, [
    { agentId: 'a', from: 0, to: 10 * HOUR },
    { agentId: 'b', from: 10 * HOUR, to: null },
  ]);
  const agent = reachOf({ agentId: 'a' }, []);

  it.each([
    ['a', 9 * HOUR, true],
    ['a', 10 * HOUR, false], // the end of a period is exclusive: the move happened then
    ['b', 10 * HOUR, true],
    ['b', 9 * HOUR, false],
    ['c', 9 * HOUR, false],
    [null, 9 * HOUR, false],
  ])('a team key sees agent %s at %d: %s', (agentId, at, seen) => {
    expect(team.sees(agentId, at)).toBe(seen);
  });

  it('a team key reaches every agent ever in the team; an agent key itself only', () => {
    expect(team.agentIds).toEqual(['a', 'b']);
    expect(team.seesAgent('a')).toBe(true);
    expect(agent.agentIds).toEqual(['a']);
    expect(agent.sees('a', 0)).toBe(true);
    expect(agent.sees('b', 0)).toBe(false);
  });

  it('keeps filters inside the limit, implies it without one, and refuses one outside', () => {
    expect(limitTeamIds(team, undefined)).toEqual(['T']);
    expect(limitTeamIds(team, ['T'])).toEqual(['T']);
    expect(() => limitTeamIds(team, ['T', 'U'])).toThrow(/team 'U' is not its team/);
    expect(limitTeamIds(agent, ['U'])).toEqual(['U']); // narrows an agent key further: harmless
    expect(limitAgentIds(team, undefined)).toBeUndefined(); // the team filter applies
    expect(limitAgentIds(team, ['b'])).toEqual(['b']);
    expect(() => limitAgentIds(team, ['c'])).toThrow(/agent 'c' is not one of its agents/);
    expect(limitAgentIds(agent, undefined)).toEqual(['a']);
    expect(() => limitAgentIds(agent, ['b'])).toThrow(expect.objectContaining({ code: 'KEY_LIMITED', kind: 'forbidden' }));
  });

  it('refuses metrics counted before a call reaches an agent, and sees only its own appraisal results', () => {
    expect(() => refuseImpersonalMetrics({ teamId: 'T' }, ['aht', ' ivrSelfServiceRate'])).toThrow(/ivrSelfServiceRate/);
    expect(() => refuseImpersonalMetrics({ teamId: 'T' }, ['aht', 'handled', 'unknownMetric'])).not.toThrow();
    expect(seesResult({ teamId: 'T' }, { agentId: 'x', teamId: 'T' })).toBe(true);
    expect(seesResult({ teamId: 'T' }, { agentId: 'x', teamId: null })).toBe(false);
    expect(seesResult({ agentId: 'x' }, { agentId: 'x', teamId: 'U' })).toBe(true);
    expect(seesResult({ agentId: 'x' }, { agentId: 'y', teamId: 'T' })).toBe(false);
  });
});
