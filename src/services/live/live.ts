import { notFound } from '../../domain/errors';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { ServiceContext } from '../context';

/** A queue's live state, straight from its QueueDO (works while Postgres is down); 404 for another tenant's or no queue. */
export async function queueLive(ctx: Pick<ServiceContext, 'env' | 'tenantId'>, queueId: string) {
  const exists = await callTenantDO(ctx.env, ctx.tenantId, (s) => s.hasEntity('queue', queueId));
  if (!exists) throw notFound('queue', queueId);
  const live = await callQueueDO(ctx.env, ctx.tenantId, queueId, (s) => s.live());
  return { ...live, queueId };
}
