import { type ApiKeyLimit, describeLimit } from './api-keys';
import { AppError } from './errors';
import { isMetricId, metricDefinition } from './kpi/catalog';

/**
 * What a key limited to a team or an agent reaches (docs/roles.md). A team lead sees the agents of the team at the
 * time of each record — a call answered in February by an agent who joined the team in March is not theirs; an
 * agent sees itself.
 */
export interface Reach {
  limit: ApiKeyLimit;
  /** The team of a team key; null for an agent key. */
  teamId: string | null;
  /** Every agent the key may see some record of: a team's past and present members, or the agent itself. */
  agentIds: string[];
  /** Whether the key sees a record of this agent at this instant (epoch ms). */
  sees(agentId: string | null | undefined, at: number): boolean;
  /** Whether the key sees some record of this agent (at some time). */
  seesAgent(agentId: string | null | undefined): boolean;
}

/** One period during which an agent was in a team (epoch ms, `to` exclusive, null while it lasts). */
export interface TeamPeriod {
  agentId: string;
  from: number;
  to: number | null;
}

/** The reach of a limit, from the periods the team's agents were in it (unused for an agent limit). */
export function reachOf(limit: ApiKeyLimit, teamPeriods: readonly TeamPeriod[]): Reach {
  if ('agentId' in limit) {
    const self = limit.agentId;
    return {
      limit,
      teamId: null,
      agentIds: [self],
      sees: (agentId) => agentId === self,
      seesAgent: (agentId) => agentId === self,
    };
  }
  const periods = new Map<string, TeamPeriod[]>();
  for (const p of teamPeriods) periods.set(p.agentId, [...(periods.get(p.agentId) ?? []), p]);
  return {
    limit,
    teamId: limit.teamId,
    agentIds: [...periods.keys()].sort(),
    sees: (agentId, at) => !!agentId && (periods.get(agentId) ?? []).some((p) => p.from <= at && (p.to === null || at < p.to)),
    seesAgent: (agentId) => !!agentId && periods.has(agentId),
  };
}

/** 403 `KEY_LIMITED`: the request asks for what lies outside the key's limit. */
export function beyondLimit(limit: ApiKeyLimit, what: string): AppError {
  return new AppError('forbidden', 'KEY_LIMITED', `This key is limited to ${describeLimit(limit)}: ${what}.`);
}

/**
 * The team filter of a limited request: a team key's own team (asking for another is a 403); an agent key's
 * request keeps what it asked for (its agent filter already narrows it to itself).
 */
export function limitTeamIds(reach: Reach, requested: readonly string[] | undefined): string[] | undefined {
  if (reach.teamId === null) return requested ? [...requested] : undefined;
  const others = (requested ?? []).filter((id) => id !== reach.teamId);
  if (others.length > 0) throw beyondLimit(reach.limit, `team '${others[0]}' is not its team`);
  return [reach.teamId];
}

/**
 * The agent filter of a limited request: the agents asked for, each of which must be one the key sees at some
 * time (else a 403); without any, an agent key's own agent, and for a team key none (its team filter applies).
 */
export function limitAgentIds(reach: Reach, requested: readonly string[] | undefined): string[] | undefined {
  const others = (requested ?? []).filter((id) => !reach.seesAgent(id));
  if (others.length > 0) throw beyondLimit(reach.limit, `agent '${others[0]}' is not one of its agents`);
  if (requested && requested.length > 0) return [...requested];
  return reach.teamId === null ? [...reach.agentIds] : undefined;
}

/**
 * A limited key reads only metrics that belong to people: queue metrics then count the calls its agents answered
 * (as any agent or team filter does), agent metrics its agents' time. A metric counted before a call reaches an agent
 * (the IVR, the tenant's own totals) belongs to nobody's team: 403.
 */
export function refuseImpersonalMetrics(limit: ApiKeyLimit, metricIds: readonly string[]): void {
  for (const id of metricIds) {
    const trimmed = id.trim();
    if (isMetricId(trimmed) && metricDefinition(trimmed).scope === 'tenant') {
      throw beyondLimit(limit, `${trimmed} is counted before a call reaches an agent, so it belongs to no team or agent`);
    }
  }
}

/** {@link limitAgentIds} for a filter of one agent: the agent asked for (if the key's), else an agent key's own. */
export function limitAgentId(reach: Reach, requested: string | undefined): string | undefined {
  return limitAgentIds(reach, requested !== undefined ? [requested] : undefined)?.[0];
}

/** {@link limitTeamIds} for a filter of one team: a team key's own team (another is a 403). */
export function limitTeamId(reach: Reach, requested: string | undefined): string | undefined {
  return limitTeamIds(reach, requested !== undefined ? [requested] : undefined)?.[0];
}

/** Whether a limited key sees an agent's appraisal result: its agent's, or one of its team as of the period's start. */
export function seesResult(limit: ApiKeyLimit, result: { agentId: string; teamId: string | null }): boolean {
  return 'agentId' in limit ? result.agentId === limit.agentId : result.teamId === limit.teamId;
}
