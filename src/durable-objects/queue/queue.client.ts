import type { Env } from '../../env';
import { type Awaitable, callDurableObject, type OutboxPort } from '../call';
import type { QueueDO } from './queue.do';
import type { LiveSnapshot, QueueConfiguration, QueueIngestMany, QueueIngestResult } from './queue.types';

/** What callers may ask of a queue's Durable Object (`QueueDO` implements it; services depend on this, not the class). */
export interface QueuePort extends OutboxPort {
  configure(input: QueueConfiguration): Promise<void>;
  ingestMany(input: QueueIngestMany): Promise<QueueIngestResult[]>;
  live(): Awaitable<LiveSnapshot>;
  watch(until: number, withSnapshot: boolean): Promise<LiveSnapshot | null>;
  backlog(): Awaitable<number>;
}

/** A queue's Durable Object: one per (tenant, queue), named `${tenantId}:${queueId}`. */
export function queueStub(env: Pick<Env, 'QUEUE_DO'>, tenantId: string, queueId: string): DurableObjectStub<QueueDO> {
  return env.QUEUE_DO.get(env.QUEUE_DO.idFromName(`${tenantId}:${queueId}`));
}

/** Calls a QueueDO by RPC through its port (see `callDurableObject` for failures). */
export function callQueueDO<R>(
  env: Pick<Env, 'QUEUE_DO'>,
  tenantId: string,
  queueId: string,
  call: (stub: QueuePort) => R,
): Promise<Awaited<R>> {
  const port: QueuePort = queueStub(env, tenantId, queueId);
  return callDurableObject(port, 'Queue state', call);
}
