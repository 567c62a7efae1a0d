import { sortEvents } from '../calls/project';
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

/**
 * An agent's state intervals from its state-change events: each change starts an interval that the
 * next one ends. Pure and order-independent (events are sorted first, duplicate ids dropped), and an
 * interval keeps its id (its starting event) however late its neighbours arrive.
 */
export function projectPresence(agentId: string, events: readonly NormalizedEvent<'agent.state_changed'>[]): StateInterval[] {
  const unique = new Map(events.map((e) => [e.id, e]));
  const sorted = sortEvents([...unique.values()]);
  return sorted.map((e, i) => ({
    id: `${agentId}|${e.id}`,
    agentId,
    state: e.attrs.state,
    reason: e.attrs.reason ?? null,
    startedAt: e.occurredAt,
    endedAt: sorted[i + 1]?.occurredAt ?? null,
  }));
}
