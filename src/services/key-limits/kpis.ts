import type { ApiKeyLimit } from '../../domain/api-keys';
import { limitAgentId, limitAgentIds, limitTeamId, limitTeamIds, refuseImpersonalMetrics } from '../../domain/key-limits';
import type { ServiceContext } from '../context';
import { reachFor } from './reach';

/**
 * A `GET /v1/kpis` request as a limited key may make it (docs/roles.md): a team key's rows are its team's agents at
 * the time of each record (another team asked for is a 403), an agent key's its own; agents asked for must be the
 * key's. The service then computes exactly what it computes for the same filters from a key of the whole tenant.
 */
export async function limitKpiQuery<
  Q extends { metrics: string; teamIds?: string[] | undefined; agentIds?: string[] | undefined },
>(ctx: ServiceContext, limit: ApiKeyLimit | null, q: Q): Promise<Q> {
  if (!limit) return q;
  refuseImpersonalMetrics(limit, q.metrics.split(','));
  const reach = await reachFor(ctx, limit);
  if (!reach) return q;
  return { ...q, teamIds: limitTeamIds(reach, q.teamIds), agentIds: limitAgentIds(reach, q.agentIds) };
}

/** The same for one cell of `GET /v1/kpis/explain` (one team, one agent). */
export async function limitExplainQuery<Q extends { metric: string; teamId?: string | undefined; agentId?: string | undefined }>(
  ctx: ServiceContext,
  limit: ApiKeyLimit | null,
  q: Q,
): Promise<Q> {
  if (!limit) return q;
  refuseImpersonalMetrics(limit, [q.metric]);
  const reach = await reachFor(ctx, limit);
  if (!reach) return q;
  return { ...q, teamId: limitTeamId(reach, q.teamId), agentId: limitAgentId(reach, q.agentId) };
}
