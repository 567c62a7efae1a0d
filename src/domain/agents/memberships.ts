/**
 * An agent's team and site over time: a step function of contiguous periods, the first from
 * {@link SINCE_EVER}, the last open (`to: null`). History is attributed to the team and site of its
 * own time, so moving an agent to another team on 1 March leaves February with the old team.
 */
export interface Membership {
  /** Epoch ms, inclusive. {@link SINCE_EVER} for the first period. */
  from: number;
  /** Epoch ms, exclusive; null for the current period. */
  to: number | null;
  teamId: string | null;
  siteId: string | null;
}

/** The start of an agent's first period: history older than the agent itself belongs to its first team. */
export const SINCE_EVER = 0;

/** A change of team and/or site from an instant on (`undefined` leaves that field as it was). */
export interface MembershipChange {
  at: number;
  teamId?: string | null;
  siteId?: string | null;
}

/** The periods of an agent that has none recorded (created before memberships were kept, or by ingestion). */
export function initialMemberships(teamId: string | null = null, siteId: string | null = null): Membership[] {
  return [{ from: SINCE_EVER, to: null, teamId, siteId }];
}

/**
 * The periods after a change applied from `change.at` on: the period containing `at` is split there,
 * and every period from `at` on takes the changed fields (a retroactive move rewrites what followed;
 * the other field keeps its own history). Adjacent periods that say the same are merged.
 */
export function applyMembershipChange(current: readonly Membership[], change: MembershipChange): Membership[] {
  const base = current.length > 0 ? [...current].sort((a, b) => a.from - b.from) : initialMemberships();
  const at = Math.max(SINCE_EVER, change.at);
  const split: Membership[] = [];
  for (const m of base) {
    if (m.from < at && (m.to === null || m.to > at)) {
      split.push({ ...m, to: at }, { ...m, from: at });
    } else split.push({ ...m });
  }
  for (const m of split) {
    if (m.from < at) continue;
    if (change.teamId !== undefined) m.teamId = change.teamId;
    if (change.siteId !== undefined) m.siteId = change.siteId;
  }
  const merged: Membership[] = [];
  for (const m of split) {
    const last = merged.at(-1);
    if (last && last.teamId === m.teamId && last.siteId === m.siteId) last.to = m.to;
    else merged.push(m);
  }
  return merged;
}

/** The period in force at an instant (the first one for instants before it). */
export function membershipAt(periods: readonly Membership[], instant: number): Membership | null {
  let found: Membership | null = null;
  for (const m of periods) {
    if (m.from <= instant && (m.to === null || instant < m.to)) return m;
    if (found === null || m.from < found.from) found = m;
  }
  return found;
}
