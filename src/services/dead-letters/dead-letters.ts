import type { DeadLetterItem, DeadLetterList } from '../../contracts/dead-letters';
import { callLiveHub } from '../../durable-objects/live/live-hub.client';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { callWebhookSender } from '../../durable-objects/webhooks/webhook-sender.client';
import type { ServiceContext } from '../context';

/**
 * The rows Postgres refused and the flush set aside, newest first: from the tenant's object, every
 * queue's, the live hub's and the webhook sender's. Read from the Durable Objects, so it works while Postgres is down.
 */
export async function listDeadLetters(ctx: Pick<ServiceContext, 'env' | 'tenantId'>, limit: number): Promise<DeadLetterList> {
  const { env, tenantId } = ctx;
  const [tenant, queueIds, hub, webhooks] = await Promise.all([
    callTenantDO(env, tenantId, (s) => s.deadLetters(limit)),
    callTenantDO(env, tenantId, (s) => s.queueIds()),
    callLiveHub(env, tenantId, (s) => s.deadLetters(limit)),
    callWebhookSender(env, tenantId, (s) => s.deadLetters(limit)),
  ]);
  const queues = await Promise.all(
    queueIds.map(async (queueId) => ({ queueId, ...(await callQueueDO(env, tenantId, queueId, (s) => s.deadLetters(limit))) })),
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  const items: (DeadLetterItem & { ms: number })[] = [
    ...tenant.items.map((d) => ({ where: 'tenant' as const, queueId: null, ...d, at: iso(d.at), ms: d.at })),
    ...hub.items.map((d) => ({ where: 'hub' as const, queueId: null, ...d, at: iso(d.at), ms: d.at })),
    ...queues.flatMap((q) =>
      q.items.map((d) => ({ where: 'queue' as const, queueId: q.queueId, ...d, at: iso(d.at), ms: d.at })),
    ),
    ...webhooks.items.map((d) => ({ where: 'webhooks' as const, queueId: null, ...d, at: iso(d.at), ms: d.at })),
  ];
  items.sort((a, b) => b.ms - a.ms);
  return {
    total: tenant.total + hub.total + webhooks.total + queues.reduce((n, q) => n + q.total, 0),
    items: items.slice(0, limit).map(({ ms: _, ...d }) => d),
  };
}

/** Calls one action on the tenant's object, every queue's and the webhook sender's, and adds up what they return. */
async function onEveryObject(
  ctx: Pick<ServiceContext, 'env' | 'tenantId'>,
  action: (s: {
    retryDeadLetters(): Promise<number>;
    discardDeadLetters(): Promise<number> | number;
  }) => Promise<number> | number,
): Promise<number> {
  const { env, tenantId } = ctx;
  const queueIds = await callTenantDO(env, tenantId, (s) => s.queueIds());
  const counts = await Promise.all([
    callTenantDO(env, tenantId, (s) => action(s)),
    callLiveHub(env, tenantId, (s) => action(s)),
    ...queueIds.map((queueId) => callQueueDO(env, tenantId, queueId, (s) => action(s))),
    callWebhookSender(env, tenantId, (s) => action(s)),
  ]);
  return counts.reduce((n, c) => n + c, 0);
}

/** Puts every dead letter back into its outbox (after a fix Postgres may take them); those refused again come back. */
export async function retryDeadLetters(ctx: Pick<ServiceContext, 'env' | 'tenantId'>): Promise<{ requeued: number }> {
  return { requeued: await onEveryObject(ctx, (s) => s.retryDeadLetters()) };
}

/** Forgets every dead letter of the tenant. */
export async function discardDeadLetters(ctx: Pick<ServiceContext, 'env' | 'tenantId'>): Promise<{ discarded: number }> {
  return { discarded: await onEveryObject(ctx, (s) => s.discardDeadLetters()) };
}
