import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMembershipChange, initialMemberships, type Membership, membershipAt, SINCE_EVER } from './memberships';

const MAR_1 = Date.UTC(2026, 2, 1);
const APR_1 = Date.UTC(2026, 3, 1);
const FEB_15 = Date.UTC(2026, 1, 15);
const row = (from: number, to: number | null, teamId: string | null, siteId: string | null = null): Membership => ({
  from,
  to,
  teamId,
  siteId,
});

describe('applyMembershipChange', () => {
  it('a move on 1 March leaves February with the old team', () => {
    const after = applyMembershipChange(initialMemberships('tem_a', 'sit_x'), { at: MAR_1, teamId: 'tem_b' });
    expect(after).toEqual([row(SINCE_EVER, MAR_1, 'tem_a', 'sit_x'), row(MAR_1, null, 'tem_b', 'sit_x')]);
    expect(membershipAt(after, FEB_15)?.teamId).toBe('tem_a');
    expect(membershipAt(after, MAR_1)?.teamId).toBe('tem_b');
    expect(membershipAt(after, MAR_1 - 1)?.teamId).toBe('tem_a');
  });

  it('team and site keep their own histories', () => {
    let m = applyMembershipChange(initialMemberships('tem_a', 'sit_x'), { at: MAR_1, teamId: 'tem_b' });
    m = applyMembershipChange(m, { at: APR_1, siteId: 'sit_y' });
    expect(m).toEqual([
      row(SINCE_EVER, MAR_1, 'tem_a', 'sit_x'),
      row(MAR_1, APR_1, 'tem_b', 'sit_x'),
      row(APR_1, null, 'tem_b', 'sit_y'),
    ]);
  });

  it('a retroactive move rewrites what followed it, for the changed field only', () => {
    let m = applyMembershipChange(initialMemberships('tem_a', 'sit_x'), { at: APR_1, teamId: 'tem_c', siteId: 'sit_y' });
    m = applyMembershipChange(m, { at: MAR_1, teamId: 'tem_b' });
    expect(m).toEqual([
      row(SINCE_EVER, MAR_1, 'tem_a', 'sit_x'),
      row(MAR_1, APR_1, 'tem_b', 'sit_x'),
      row(APR_1, null, 'tem_b', 'sit_y'),
    ]);
  });

  it('a change that says what already holds merges back into one period', () => {
    const m = applyMembershipChange(initialMemberships('tem_a'), { at: MAR_1, teamId: 'tem_a' });
    expect(m).toEqual(initialMemberships('tem_a'));
    const back = applyMembershipChange(applyMembershipChange(m, { at: MAR_1, teamId: 'tem_b' }), { at: MAR_1, teamId: 'tem_a' });
    expect(back).toEqual(initialMemberships('tem_a'));
  });

  it('an agent with nothing recorded starts from no team and no site', () => {
    expect(applyMembershipChange([], { at: MAR_1, teamId: 'tem_b' })).toEqual([
      row(SINCE_EVER, MAR_1, null),
      row(MAR_1, null, 'tem_b'),
    ]);
  });

  it('a change from the beginning replaces the whole history of that field', () => {
    const m = applyMembershipChange(initialMemberships('tem_a', 'sit_x'), { at: MAR_1, teamId: 'tem_b' });
    expect(applyMembershipChange(m, { at: SINCE_EVER, teamId: null })).toEqual([row(SINCE_EVER, null, null, 'sit_x')]);
  });

  it('property: contiguous from the beginning to an open end; each instant reads the last change that covers it', () => {
    const teams = ['tem_a', 'tem_b', null] as const;
    const change = fc.record({
      at: fc.integer({ min: 0, max: 100 }),
      teamId: fc.option(fc.constantFrom(...teams), { nil: undefined }),
      siteId: fc.option(fc.constantFrom('sit_x', null), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 8 }), fc.integer({ min: 0, max: 110 }), (changes, probe) => {
        let m: Membership[] = initialMemberships();
        for (const c of changes) m = applyMembershipChange(m, c);
        expect(m[0]?.from).toBe(SINCE_EVER);
        expect(m.at(-1)?.to).toBeNull();
        for (let i = 1; i < m.length; i++) {
          expect(m[i]?.from).toBe(m[i - 1]?.to);
          const [a, b] = [m[i - 1] as Membership, m[i] as Membership];
          expect(a.teamId === b.teamId && a.siteId === b.siteId).toBe(false);
        }
        // Reference: each change sets its fields from its `at` on, a later change over an earlier one.
        const expected = replay(changes, probe);
        expect({ teamId: membershipAt(m, probe)?.teamId, siteId: membershipAt(m, probe)?.siteId }).toEqual(expected);
      }),
    );
  });
});

/** Each change sets its fields for every instant from its `at` on, later changes over earlier ones. */
function replay(
  changes: { at: number; teamId?: string | null; siteId?: string | null }[],
  probe: number,
): { teamId: string | null; siteId: string | null } {
  let teamId: string | null = null;
  let siteId: string | null = null;
  for (const c of changes) {
    if (c.at > probe) continue;
    if (c.teamId !== undefined) teamId = c.teamId;
    if (c.siteId !== undefined) siteId = c.siteId;
  }
  return { teamId, siteId };
}
