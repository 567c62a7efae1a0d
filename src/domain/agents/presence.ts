import type { AgentState } from '../events/event-types';
import type { NormalizedEvent } from '../events/normalized';

/** One state of one agent, from a state change to the next: what breaks, occupancy and utilization are computed from. */
export interface StateInterval {
  id: string;
  agentId: string;
  state: AgentState;
  reason: string | null;
  startedAt: number;
  endedAt: number | null;
}

const isUnpause = (e: NormalizedEvent<'agent.state_changed'>) => e.attrs.unpause === true;

/**
 * An agent's state intervals from its state-change events: each change starts an interval that the
 * next one ends. Pure and order-independent (events are sorted first, duplicate ids dropped), and an
 * interval keeps its id (its starting event) however late its neighbours arrive.
 *
 * An unpause ends a pause; it never logs an agent in (Wazo logs UNPAUSEALL right after a logoff): after
 * `offline` its interval stays offline. Within one instant it goes last, so the logoff it follows in
 * the same second counts whatever the ids say.
 */
export function projectPresence(agentId: string, events: readonly NormalizedEvent<'agent.state_changed'>[]): StateInterval[] {
  const unique = new Map(events.map((e) => [e.id, e]));
  const sorted = [...unique.values()].sort(
    (a, b) =>
      a.occurredAt - b.occurredAt || Number(isUnpause(a)) - Number(isUnpause(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  let before: { state: AgentState; reason: string | null } | null = null;
  return sorted.map((e, i) => {
    const stays = isUnpause(e) && before?.state === 'offline';
    const now: { state: AgentState; reason: string | null } =
      stays && before ? before : { state: e.attrs.state, reason: e.attrs.reason ?? null };
    before = now;
    return {
      id: `${agentId}|${e.id}`,
      agentId,
      state: now.state,
      reason: now.reason,
      startedAt: e.occurredAt,
      endedAt: sorted[i + 1]?.occurredAt ?? null,
    };
  });
}
