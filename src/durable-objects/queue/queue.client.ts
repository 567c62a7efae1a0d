import type { Env } from '../../env';
import { callDurableObject } from '../call';
import type { QueueDO } from './queue.do';

/** A queue's Durable Object: one per (tenant, queue), named `${tenantId}:${queueId}`. */
export function queueStub(env: Pick<Env, 'QUEUE_DO'>, tenantId: string, queueId: string): DurableObjectStub<QueueDO> {
  return env.QUEUE_DO.get(env.QUEUE_DO.idFromName(`${tenantId}:${queueId}`));
}

/** Calls a QueueDO by RPC (see `callDurableObject` for failures). */
export function callQueueDO<R>(
  env: Pick<Env, 'QUEUE_DO'>,
  tenantId: string,
  queueId: string,
  call: (stub: DurableObjectStub<QueueDO>) => R,
): Promise<Awaited<R>> {
  return callDurableObject(queueStub(env, tenantId, queueId), 'Queue state', call);
}
