import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../../env';

/**
 * One per (tenant, queue), named `${tenantId}:${queueId}`. It will own the queue's live state: visits,
 * live counters, the outbox to Postgres and the wallboard WebSockets (the ingestion issue). For now it
 * only answers the health probe, so the binding and its SQLite storage migration exist from day one.
 */
export class QueueDO extends DurableObject<Env> {
  /** Health probe: a real storage write and read. */
  async ping(): Promise<number> {
    const now = Date.now();
    await this.ctx.storage.put('ping', now);
    return (await this.ctx.storage.get<number>('ping')) ?? 0;
  }
}
