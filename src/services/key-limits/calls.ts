import type { Call, CallDetail } from '../../contracts/calls';
import type { Reach } from '../../domain/key-limits';

/**
 * A call as a limited key sees it: a transfer to another team's agent keeps the call, not that agent — other agents'
 * ids leave `handling.agentIds`, visits and the timeline (null there), and their segments leave the detail.
 */
export function callWithin<C extends Call | CallDetail>(call: C, reach: Reach): C {
  const visible = (agentId: string | null) => (agentId !== null && reach.seesAgent(agentId) ? agentId : null);
  const out: Call = {
    ...call,
    handling: { ...call.handling, agentIds: call.handling.agentIds.filter((id) => reach.seesAgent(id)) },
    visits: call.visits.map((v) => ({ ...v, agentId: visible(v.agentId) })),
  };
  if (!('segments' in call)) return out as C;
  return {
    ...out,
    segments: call.segments.filter((s) => reach.sees(s.agentId, Date.parse(s.connectedAt))),
    events: call.events.map((e) => ({ ...e, agentId: visible(e.agentId) })),
  } as C;
}
