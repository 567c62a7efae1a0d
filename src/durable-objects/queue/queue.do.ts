import type { AnyEvent } from '../../domain/events/normalized';
import { completeDelivery, fillSlots } from '../../domain/ingest-results';
import type { Env } from '../../env';
import { createLogger } from '../../lib/log';
import { OutboxFlusher } from '../flush';
import type { Wakeable } from '../lifecycle';
import { liveHubStub } from '../live/live-hub.client';
import { snapshotMessage } from '../live/live-hub.do';
import type { HistorySink } from '../ports';
import { SqlDurableObject } from '../sql-object';
import { routedResults } from '../tenant/tenant.routing';
import { EventStore } from './event-store';
import { emptyLiveFacts, LiveKpis } from './live-kpis';
import { LivePublisher } from './live-publisher';
import { liveSnapshot } from './live-view';
import { PresenceMirror } from './presence-mirror';
import { ProjectionStore } from './projection';
import type { QueuePort } from './queue.client';
import { QUEUE_MIGRATIONS } from './queue.migrations';
import type { LiveSnapshot, QueueConfiguration, QueueIngestMany, QueueIngestResult } from './queue.types';
import { QueueMeta } from './queue-meta';
import { Pruner, StaleSweeper } from './sweeper';
import { VisitStore } from './visits';

/** A flush waits this long after the first change, so a burst of events goes to Postgres together. */
export const FLUSH_DELAY_MS = 1000;
export { SEEN_RETENTION_MS } from './sweeper';

/**
 * One per (tenant, queue), named `${tenantId}:${queueId}`: a thin RPC shell over its stores. Each
 * batch is one storage transaction: drop event ids already seen, keep the event, project the
 * interaction's records again from all its events, bump the version of what changed, append it to
 * the outbox. Live counters are derived from the records, never incremented. The alarm sweeps stale
 * visits, drains the outbox to Postgres (with backoff while Postgres is down) and prunes old events.
 */
export class QueueDO extends SqlDurableObject implements QueuePort {
  private readonly meta = new QueueMeta(this.sql);
  private readonly events = new EventStore(this.sql, this.outbox);
  private readonly visits = new VisitStore(this.sql);
  private readonly liveKpis = new LiveKpis(this.sql);
  private readonly publisher: LivePublisher;
  private readonly projection: ProjectionStore;
  private readonly presence = new PresenceMirror(this.sql);
  private readonly parts: readonly Wakeable[];

  constructor(ctx: DurableObjectState, env: Env, sink: HistorySink) {
    super(ctx, env, QUEUE_MIGRATIONS, sink);
    this.publisher = new LivePublisher(
      this.sql,
      () => this.ready,
      (seq) => this.snapshot(Date.now(), seq),
      (snap) => this.toHub(snap),
      () => this.logger(),
    );
    this.projection = new ProjectionStore(this.sql, this.outbox, this.events, (ids) => {
      this.liveKpis.touched(ids);
      this.publisher.markChanged();
    });
    this.parts = [
      new StaleSweeper(this.meta, this.projection, this.transact),
      new OutboxFlusher(this.outbox, sink, {
        tenantId: () => this.meta.read()?.tenantId ?? null,
        ensure: (batch) => this.meta.ensureList(batch),
        transact: this.transact,
        delayMs: FLUSH_DELAY_MS,
      }),
      new Pruner(this.outbox, this.events, this.projection, this.transact),
      this.publisher,
    ];
  }

  /**
   * The tenant's settings this queue applies (time zone, stale-visit minutes), sent when they change
   * and when the queue is first routed to. The alarm is planned again: a shorter stale-visit time
   * closes silent visits sooner without waiting for an event.
   */
  async configure(input: QueueConfiguration): Promise<void> {
    this.ensureSchema();
    this.transact(() => this.meta.write(input.tenantId, input.queueId, input.settings));
    this.publisher.changed(Date.now());
    await this.replan();
  }

  /**
   * Takes batches of events (and agent presence) for this queue in one storage transaction, as one:
   * their events are kept and projected together (an interaction two batches touch is projected
   * once), each batch gets its own results and its delivery is logged with them. Durable when it
   * returns.
   */
  async ingestMany(input: QueueIngestMany): Promise<QueueIngestResult[]> {
    this.ensureSchema();
    const now = Date.now();
    const results = this.transact(() => {
      this.meta.write(input.tenantId, input.queueId, input.settings);
      const events: (AnyEvent & { interactionId: string })[] = [];
      const sizes: number[] = [];
      for (const b of input.batches) {
        for (const e of b.ensure) this.meta.putEntity(e);
        const own = b.events.flatMap((e) => (e.interactionId ? [{ ...e, interactionId: e.interactionId }] : []));
        events.push(...own);
        sizes.push(own.length);
      }
      const kept = this.events.keepAll(events, now, input.revise === true);
      const timelines = this.projection.setTimelines(input.batches.flatMap((b) => b.timelines));
      this.projection.reproject(input.queueId, kept.touched, now, {
        clearStale: true,
        written: kept.written,
        timelines: timelines.known,
      });
      this.projection.reproject(
        input.queueId,
        [...timelines.changed].filter((id) => !kept.touched.has(id)),
        now,
        { clearStale: false, timelines: timelines.known },
      );
      let from = 0;
      return input.batches.map((b, k) => {
        const to = from + (sizes[k] ?? 0);
        const results: QueueIngestResult['results'] = [];
        for (let i = from; i < to; i++) results.push({ id: events[i]?.id ?? '', status: kept.statuses[i] ?? 'duplicate' });
        from = to;
        for (const p of b.presence) this.presence.apply(p);
        const delivery = b.delivery;
        if (delivery) {
          // Logged as the TenantDO would log it (`DeliveryLog`), with the answer it gives.
          const all = routedResults(delivery.ids, delivery.outcomes, [{ results }]);
          const record = completeDelivery(delivery.record, fillSlots(delivery.slots, all));
          this.outbox.putRecord('delivery', record.id, 1, { ...record, retentionDays: delivery.retentionDays });
        }
        return { results };
      });
    });
    this.publisher.changed(now);
    await this.wakeWithin(now, FLUSH_DELAY_MS);
    return results;
  }

  /** The queue's live state: waiting callers, agents by state, today's and the rolling windows' KPIs, outbox health. */
  live(): LiveSnapshot {
    return this.snapshot(Date.now(), this.publisher.seq());
  }

  /**
   * The tenant's live hub watches this queue until `until` (it renews the lease while connections watch it):
   * until then every change is pushed to it, at most 4 times a second. Answers the snapshot as of now.
   */
  async watch(until: number, withSnapshot: boolean): Promise<LiveSnapshot | null> {
    this.ensureSchema();
    const snap = this.publisher.watch(until);
    await this.replan();
    return withSnapshot ? snap : null;
  }

  private snapshot(now: number, seq: number): LiveSnapshot {
    const meta = this.ready ? this.meta.read() : null;
    const timeZone = meta?.settings.timeZone ?? 'UTC';
    const stores = this.ready ? { visits: this.visits, presence: this.presence, outbox: this.outbox.status() } : null;
    const facts = this.ready ? this.liveKpis.read(now, timeZone) : emptyLiveFacts(now, timeZone);
    return liveSnapshot(now, meta, stores, facts, seq);
  }

  private async toHub(snap: LiveSnapshot): Promise<void> {
    const meta = this.meta.read();
    if (!meta) return;
    await liveHubStub(this.env, meta.tenantId).publish(meta.queueId, snap.seq, snapshotMessage(snap, false));
  }

  private logger() {
    const meta = this.ready ? this.meta.read() : null;
    return meta ? createLogger({ tenantId: meta.tenantId, queueId: meta.queueId, do: 'QueueDO' }, this.env.LOG_LEVEL) : null;
  }

  /** Outbox backlog for /health. */
  backlog(): number {
    return this.ready ? this.outbox.status().backlog : 0;
  }

  protected alarmParts() {
    const log = this.logger();
    return log ? { parts: this.parts, log } : null;
  }
}
