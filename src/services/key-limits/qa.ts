import { and, eq, type SQL, sql } from 'drizzle-orm';
import { qaEvaluations } from '../../db/schema';
import type { ApiKeyLimit } from '../../domain/api-keys';
import { notFound } from '../../domain/errors';
import { beyondLimit } from '../../domain/key-limits';
import { type ServiceContext, tenantTx } from '../context';
import { agentInLimit } from './reach';

/**
 * The evaluations a limited key sees: of its agent, or of an agent in its team at the time of the evaluated call
 * (the evaluation's own creation when the call is not in the history).
 */
export function evaluationWithin(tenantId: string, limit: ApiKeyLimit): SQL {
  const at = sql`coalesce((SELECT i.first_event_at FROM interactions i WHERE i.tenant_id = ${qaEvaluations.tenantId}
    AND i.id = ${qaEvaluations.interactionId}), ${qaEvaluations.createdAt})`;
  return agentInLimit(tenantId, limit, sql`${qaEvaluations.agentId}`, at);
}

/** 404 for an evaluation the limited key does not see, as for another tenant's. */
export async function assertEvaluationWithin(ctx: ServiceContext, id: string, limit: ApiKeyLimit | null): Promise<void> {
  if (!limit) return;
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select({ id: qaEvaluations.id })
      .from(qaEvaluations)
      .where(and(eq(qaEvaluations.tenantId, ctx.tenantId), eq(qaEvaluations.id, id), evaluationWithin(ctx.tenantId, limit))),
  );
  if (rows.length === 0) throw notFound('QA evaluation', id);
}

/**
 * Acknowledging and disputing are the evaluated agent's own acts: an agent key on its own evaluations, a key of the
 * whole tenant on anyone's (as before limits existed); a team lead's key never speaks for an agent (403).
 */
export async function assertMayAnswerEvaluation(
  ctx: ServiceContext,
  id: string,
  limit: ApiKeyLimit | null,
  action: 'acknowledge' | 'dispute',
): Promise<void> {
  if (!limit) return;
  await assertEvaluationWithin(ctx, id, limit);
  if ('teamId' in limit) throw beyondLimit(limit, `only the evaluated agent may ${action} an evaluation`);
}
