import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { agentMemberships } from '../../db/schema';
import type { ApiKeyLimit } from '../../domain/api-keys';
import { type Reach, reachOf } from '../../domain/key-limits';
import { type ServiceContext, tenantTx } from '../context';

/** What a limited key reaches (src/domain/key-limits.ts): for a team, the periods its agents were in it. */
export async function loadReach(tx: Tx, tenantId: string, limit: ApiKeyLimit): Promise<Reach> {
  if ('agentId' in limit) return reachOf(limit, []);
  const rows = await tx
    .select({ agentId: agentMemberships.agentId, from: agentMemberships.validFrom, to: agentMemberships.validTo })
    .from(agentMemberships)
    .where(and(eq(agentMemberships.tenantId, tenantId), eq(agentMemberships.teamId, limit.teamId)));
  return reachOf(
    limit,
    rows.map((r) => ({ agentId: r.agentId, from: r.from.getTime(), to: r.to?.getTime() ?? null })),
  );
}

/** {@link loadReach} in its own tenant transaction; null for a key of the whole tenant. */
export async function reachFor(ctx: ServiceContext, limit: ApiKeyLimit | null): Promise<Reach | null> {
  if (!limit) return null;
  return tenantTx(ctx, (tx) => loadReach(tx, ctx.tenantId, limit));
}

/**
 * A SQL condition: the agent in `agentColumn` is one the limit sees at the instant in `atColumn` — the agent itself,
 * or a member of the team then (its membership period covering that instant).
 */
export function agentInLimit(tenantId: string, limit: ApiKeyLimit, agentColumn: SQL, atColumn: SQL): SQL {
  if ('agentId' in limit) return sql`${agentColumn} = ${limit.agentId}`;
  return sql`EXISTS (SELECT 1 FROM agent_memberships km WHERE km.tenant_id = ${tenantId} AND km.agent_id = ${agentColumn}
    AND km.team_id = ${limit.teamId} AND km.valid_from <= ${atColumn} AND (km.valid_to IS NULL OR km.valid_to > ${atColumn}))`;
}

/**
 * The agents or teams a limited key may list and read (docs/roles.md): a team key, its team and every agent ever in
 * it; an agent key, itself and every team it has been in.
 */
export async function resourceIdsWithin(ctx: ServiceContext, limit: ApiKeyLimit, kind: 'agent' | 'team'): Promise<string[]> {
  if (kind === 'team' && 'teamId' in limit) return [limit.teamId];
  if (kind === 'agent' && 'agentId' in limit) return [limit.agentId];
  return tenantTx(ctx, async (tx) => {
    if (kind === 'agent') return (await loadReach(tx, ctx.tenantId, limit)).agentIds;
    const agentId = 'agentId' in limit ? limit.agentId : '';
    const rows = await tx
      .selectDistinct({ teamId: agentMemberships.teamId })
      .from(agentMemberships)
      .where(and(eq(agentMemberships.tenantId, ctx.tenantId), eq(agentMemberships.agentId, agentId)));
    return rows.map((r) => r.teamId).filter((id): id is string => id !== null);
  });
}
