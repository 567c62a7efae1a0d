import type { AgentState } from '../events/event-types';

/**
 * Cross-site load (`GET /v1/live/sites`, docs/live.md): pure. Each site's queues and agents as they are now, and
 * overflow suggestions — which site has agents available for a queue whose own site has none while callers wait.
 */

/** A queue as the load sees it: where it belongs and what waits in it now. */
export interface SiteLoadQueue {
  queueId: string;
  name: string | null;
  /** The queue's own site; null: none (such a queue is never in a suggestion: it has no site to overflow from). */
  siteId: string | null;
  waiting: number;
  longestWaitMs: number | null;
}

/** An agent: its site, the queues it serves (`agent_queues`) and its newest state (null: never seen). */
export interface SiteLoadAgent {
  agentId: string;
  siteId: string | null;
  queueIds: readonly string[];
  state: AgentState | null;
}

export interface OverflowSuggestion {
  queueId: string;
  /** The queue's own site, where callers wait with no agent serving the queue available. */
  fromSiteId: string;
  /** The site whose agents serve the queue and are available now. */
  toSiteId: string;
  waiting: number;
  longestWaitMs: number | null;
  /** Available agents of `toSiteId` who serve the queue (ids sorted). */
  availableAgents: number;
  agentIds: string[];
  /** The suggestion in a sentence. */
  reason: string;
}

/** The agents who can take a call: logged in and not away (as `staffedAgents` in ewt.ts). */
const STAFFED: readonly AgentState[] = ['available', 'busy', 'wrapup'];

/** Agents of a site (null: agents without one) serving a queue and available now, ids sorted. */
function availableFor(agents: readonly SiteLoadAgent[], queueId: string, siteId: string | null): string[] {
  return agents
    .filter((a) => a.siteId === siteId && a.state === 'available' && a.queueIds.includes(queueId))
    .map((a) => a.agentId)
    .sort();
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Overflow suggestions: for each queue with callers waiting, a site of its own and no agent of that site serving it
 * available, every other site with agents serving the queue available now. Deterministic: queues by longest wait
 * (then callers waiting, then id), for each queue sites by available agents (most first, then id).
 */
export function overflowSuggestions(queues: readonly SiteLoadQueue[], agents: readonly SiteLoadAgent[]): OverflowSuggestion[] {
  const label = (q: SiteLoadQueue) => (q.name ? `${q.name} (${q.queueId})` : q.queueId);
  const urgent = queues
    .filter((q): q is SiteLoadQueue & { siteId: string } => q.waiting > 0 && q.siteId !== null)
    .filter((q) => availableFor(agents, q.queueId, q.siteId).length === 0)
    .sort(
      (a, b) => (b.longestWaitMs ?? -1) - (a.longestWaitMs ?? -1) || b.waiting - a.waiting || a.queueId.localeCompare(b.queueId),
    );
  const out: OverflowSuggestion[] = [];
  for (const q of urgent) {
    const otherSites = [...new Set(agents.map((a) => a.siteId))].filter((s): s is string => s !== null && s !== q.siteId);
    const offers = otherSites
      .map((siteId) => ({ siteId, agentIds: availableFor(agents, q.queueId, siteId) }))
      .filter((o) => o.agentIds.length > 0)
      .sort((a, b) => b.agentIds.length - a.agentIds.length || a.siteId.localeCompare(b.siteId));
    for (const o of offers) {
      out.push({
        queueId: q.queueId,
        fromSiteId: q.siteId,
        toSiteId: o.siteId,
        waiting: q.waiting,
        longestWaitMs: q.longestWaitMs,
        availableAgents: o.agentIds.length,
        agentIds: o.agentIds,
        reason:
          `Site ${o.siteId} has ${plural(o.agentIds.length, 'available agent who serves', 'available agents who serve')} queue ` +
          `${label(q)}, which has ${plural(q.waiting, 'caller', 'callers')} waiting and no agent available at site ${q.siteId}.`,
      });
    }
  }
  return out;
}

/** Per site and queue: the agents of the site serving the queue, available and staffed now. */
export interface SiteAgentCounts {
  available: number;
  staffed: number;
}

/** The site's agents (each once) available and staffed now: of every queue, or of one queue they serve. */
export function siteAgentCounts(agents: readonly SiteLoadAgent[], siteId: string, queueId?: string): SiteAgentCounts {
  const mine = agents.filter((a) => a.siteId === siteId && (queueId === undefined || a.queueIds.includes(queueId)));
  return {
    available: mine.filter((a) => a.state === 'available').length,
    staffed: mine.filter((a) => a.state !== null && STAFFED.includes(a.state)).length,
  };
}
