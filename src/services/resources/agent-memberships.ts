import { and, asc, eq } from 'drizzle-orm';
import type { AgentMemberships } from '../../contracts/agents';
import type { Tx } from '../../db/client';
import { agentMemberships, agents } from '../../db/schema';
import { applyMembershipChange, type Membership, type MembershipChange, SINCE_EVER } from '../../domain/agents/memberships';
import { invalid, notFound } from '../../domain/errors';
import { type ServiceContext, tenantTx } from '../context';

const byAgent = (tenantId: string, agentId: string) =>
  and(eq(agentMemberships.tenantId, tenantId), eq(agentMemberships.agentId, agentId));

/** An agent's periods, oldest first (none for an agent created by ingestion that no admin has placed yet). */
export async function loadMemberships(tx: Tx, tenantId: string, agentId: string): Promise<Membership[]> {
  const rows = await tx
    .select()
    .from(agentMemberships)
    .where(byAgent(tenantId, agentId))
    .orderBy(asc(agentMemberships.validFrom));
  return rows.map((r) => ({ from: r.validFrom.getTime(), to: r.validTo?.getTime() ?? null, teamId: r.teamId, siteId: r.siteId }));
}

/**
 * Records an agent's move (or its first placement) in the same transaction as the agent itself. `effectiveFrom`
 * must not be in the future and needs a team or site to move: an agent's current team is its period of now.
 */
export async function recordMembership(
  tx: Tx,
  tenantId: string,
  agentId: string,
  input: { teamId?: string | null; siteId?: string | null; effectiveFrom?: string },
  now: Date,
  created: boolean,
): Promise<void> {
  const moves = input.teamId !== undefined || input.siteId !== undefined;
  if (input.effectiveFrom !== undefined) {
    if (!moves) {
      throw invalid([
        { pointer: '/effectiveFrom', in: 'body', detail: 'Needs `teamId` or `siteId`: it says when they take effect.' },
      ]);
    }
    if (Date.parse(input.effectiveFrom) > now.getTime()) {
      throw invalid([{ pointer: '/effectiveFrom', in: 'body', detail: 'A move cannot take effect in the future.' }]);
    }
  }
  if (!moves && !created) return;
  const change: MembershipChange = {
    at: created ? SINCE_EVER : input.effectiveFrom !== undefined ? Date.parse(input.effectiveFrom) : now.getTime(),
    ...(input.teamId !== undefined ? { teamId: input.teamId } : {}),
    ...(input.siteId !== undefined ? { siteId: input.siteId } : {}),
  };
  const next = applyMembershipChange(created ? [] : await loadMemberships(tx, tenantId, agentId), change);
  await tx.delete(agentMemberships).where(byAgent(tenantId, agentId));
  await tx.insert(agentMemberships).values(
    next.map((m) => ({
      tenantId,
      agentId,
      validFrom: new Date(m.from),
      validTo: m.to === null ? null : new Date(m.to),
      teamId: m.teamId,
      siteId: m.siteId,
      updatedAt: now,
    })),
  );
}

/** The periods as the API shows them. */
export function presentMemberships(agentId: string, periods: Membership[]): AgentMemberships {
  return {
    agentId,
    periods: periods.map((m) => ({
      from: m.from === SINCE_EVER ? null : new Date(m.from).toISOString(),
      to: m.to === null ? null : new Date(m.to).toISOString(),
      teamId: m.teamId,
      siteId: m.siteId,
    })),
  };
}

/** `GET /v1/agents/{agentId}/memberships`: an agent's teams and sites over time (404 for another tenant's agent). */
export async function getAgentMemberships(ctx: ServiceContext, agentId: string): Promise<AgentMemberships> {
  return tenantTx(ctx, async (tx) => {
    const [agent] = await tx
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.tenantId, ctx.tenantId), eq(agents.id, agentId)));
    if (!agent) throw notFound('agent', agentId);
    return presentMemberships(agentId, await loadMemberships(tx, ctx.tenantId, agentId));
  });
}
