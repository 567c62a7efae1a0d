import type { DeliveryRecord } from '../../domain/deliveries';
import { UnverifiedFlood } from '../../domain/delivery-flood';
import type { Outbox } from '../outbox';
import type { DeliveryReceipt } from './tenant.types';

/**
 * The delivery log: each webhook delivery goes into the outbox (durable now, in Postgres at the next
 * flush), so the log survives a Postgres outage like the events do. One whose signature failed goes
 * through the flood limits first: logged, or only counted.
 */
export class DeliveryLog {
  /** In memory, like the API keys' buckets: the limits refill within a minute anyway. */
  private readonly unverified = new UnverifiedFlood();

  constructor(private readonly outbox: Outbox) {}

  record(
    record: Omit<DeliveryRecord, 'retentionDays'>,
    unverifiedSource: string | null,
    retentionDays: number,
    now: number,
  ): DeliveryReceipt {
    const admitted =
      unverifiedSource === null
        ? { write: { record, version: 1 }, retryAfterSeconds: null }
        : this.unverified.admit(record, unverifiedSource, now);
    const { record: row, version } = admitted.write;
    this.outbox.putRecord('delivery', row.id, version, { ...row, retentionDays });
    return { retryAfterSeconds: admitted.retryAfterSeconds };
  }
}
