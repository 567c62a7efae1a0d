import { effectiveServiceLevel } from '../../domain/settings';
import type { Env } from '../../env';
import { errorFields, type Logger } from '../../lib/log';
import type { Transact, Wakeable } from '../lifecycle';
import { type QueuePort, queueStub } from '../queue/queue.client';
import type { QueueIngestResult, QueueSettings } from '../queue/queue.types';
import type { HotQueue, QueueBatch, TenantConfig } from './tenant.types';

/** Relayed work waits this long after an alarm that could not deliver it. */
const RELAY_RETRY_MS = 1000;

/** What one queue applies of the tenant's settings and its own (a queue not known yet: the tenant's alone). */
export const queueSettings = (c: TenantConfig, q: HotQueue | null): QueueSettings => ({
  timeZone: c.settings.timeZone,
  staleVisitMinutes: c.settings.staleVisitMinutes,
  serviceLevel: effectiveServiceLevel(c.settings.serviceLevel, q?.serviceLevel ?? null),
  name: q?.name ?? null,
  siteId: q?.siteId ?? null,
});

/** What one call to a QueueDO carries at most of batches that waited (a larger batch goes alone). */
export const MERGE_LIMITS = { events: 1000, bytes: 2 * 1024 * 1024 };

/** A rough size of a batch on the wire: what its delivery record carries, and ~1 KB an event. */
const weight = (b: QueueBatch) =>
  b.events.length * 1024 + (b.delivery ? b.delivery.record.body.length + (b.delivery.record.bodySealed?.length ?? 0) : 0);

/** Takes from the front of `waiting` what one call carries: the first batch, and those after it within `MERGE_LIMITS`. */
export function takeMergeable<T extends { batch: QueueBatch }>(waiting: T[]): T[] {
  let events = 0;
  let bytes = 0;
  let n = 0;
  for (const w of waiting) {
    events += w.batch.events.length;
    bytes += weight(w.batch);
    if (n > 0 && (events > MERGE_LIMITS.events || bytes > MERGE_LIMITS.bytes)) break;
    n++;
  }
  return waiting.splice(0, Math.max(1, n));
}

interface Waiting {
  batch: QueueBatch;
  resolve: (r: QueueIngestResult) => void;
  reject: (err: unknown) => void;
}

/** The batches waiting for one queue (one lane per queue and `revise`), while its call is in flight. */
interface Lane {
  waiting: Waiting[];
  config: TenantConfig;
}

/**
 * The TenantDO's side of its QueueDOs: hands them their queue batches and configures them. It
 * remembers which settings each queue was last given (`queue_configs`, written only once the queue
 * took them): a batch for a queue that may not have the current settings carries them, so a queue
 * auto-created by a delivery, or one a `configure` missed, is configured by its next batch.
 *
 * One call per queue is in flight at a time: batches routed meanwhile wait, and go together in the
 * next call (`QueueDO.ingestMany`, one storage transaction), so a busy queue takes fewer, larger
 * calls (group commit) while a quiet one sees each batch at once. Each batch still gets its own
 * results; a failed call fails every batch it carried.
 */
export class QueueLink {
  /** `queue_configs` as read so far (null: never configured), forgotten at every write. */
  private readonly given = new Map<string, string | null>();
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Pick<Env, 'QUEUE_DO'>,
    private readonly transact: Transact,
    private readonly queueOf: (queueId: string) => HotQueue | null,
  ) {}

  /** Sends one queue batch; durable in the QueueDO when it returns (throws when the QueueDO failed). */
  send(config: TenantConfig, batch: QueueBatch): Promise<QueueIngestResult> {
    const key = `${batch.revise === true}:${batch.queueId}`;
    return new Promise((resolve, reject) => {
      const waiting = { batch, resolve, reject };
      const lane = this.lanes.get(key);
      if (lane) {
        lane.waiting.push(waiting);
        lane.config = config;
        return;
      }
      const fresh: Lane = { waiting: [waiting], config };
      this.lanes.set(key, fresh);
      void this.drain(key, fresh);
    });
  }

  /** Sends what waits in a lane, call after call, until nothing does. */
  private async drain(key: string, lane: Lane): Promise<void> {
    try {
      while (lane.waiting.length > 0) {
        const taken = takeMergeable(lane.waiting);
        try {
          const results = await this.call(
            lane.config,
            taken.map((w) => w.batch),
          );
          for (const [i, w] of taken.entries()) {
            const r = results[i];
            if (r) w.resolve(r);
            else w.reject(new Error(`the queue answered ${results.length} of ${taken.length} batches`));
          }
        } catch (err) {
          for (const w of taken) w.reject(err);
        }
      }
    } finally {
      this.lanes.delete(key);
    }
  }

  private async call(config: TenantConfig, batches: QueueBatch[]): Promise<QueueIngestResult[]> {
    const first = batches[0];
    if (!first) return [];
    const settings = queueSettings(config, this.queueOf(first.queueId));
    const stale = this.configured(first.queueId) !== JSON.stringify(settings);
    const results = await this.port(config.tenantId, first.queueId).ingestMany({
      tenantId: config.tenantId,
      queueId: first.queueId,
      ...(first.revise ? { revise: true } : {}),
      ...(stale ? { settings } : {}),
      batches: batches.map(({ events, presence, ensure, timelines, delivery }) => ({
        events,
        presence,
        ensure,
        timelines,
        ...(delivery ? { delivery } : {}),
      })),
    });
    if (stale) this.mark(first.queueId, settings);
    return results;
  }

  /** Gives each queue the tenant's current settings; one that fails is configured by its next batch. */
  async configure(config: TenantConfig, queueIds: readonly string[], log: Logger): Promise<void> {
    await Promise.all(
      queueIds.map(async (queueId) => {
        const settings = queueSettings(config, this.queueOf(queueId));
        try {
          await this.port(config.tenantId, queueId).configure({ tenantId: config.tenantId, queueId, settings });
          this.mark(queueId, settings);
        } catch (err) {
          this.given.delete(queueId);
          this.transact(() => this.sql.exec('DELETE FROM queue_configs WHERE queue_id = ?', queueId));
          log.warn('queue not configured; its next batch carries the settings', { queueId, ...errorFields(err) });
        }
      }),
    );
  }

  private port(tenantId: string, queueId: string): QueuePort {
    return queueStub(this.env, tenantId, queueId);
  }

  private configured(queueId: string): string | null {
    const known = this.given.get(queueId);
    if (known !== undefined) return known;
    const settings =
      this.sql.exec<{ settings: string }>('SELECT settings FROM queue_configs WHERE queue_id = ?', queueId).toArray()[0]
        ?.settings ?? null;
    this.given.set(queueId, settings);
    return settings;
  }

  private mark(queueId: string, settings: QueueSettings): void {
    this.given.delete(queueId);
    this.transact(() =>
      this.sql.exec('INSERT OR REPLACE INTO queue_configs (queue_id, settings) VALUES (?, ?)', queueId, JSON.stringify(settings)),
    );
  }
}

/**
 * Delivers what routing queued in `forward` (queue-less events new to a queue, timelines) to the
 * QueueDOs, at least once: they drop repeats. Wakes while anything waits there.
 */
export class Relay implements Wakeable {
  constructor(
    private readonly sql: SqlStorage,
    private readonly link: QueueLink,
    private readonly config: () => TenantConfig | null,
    private readonly transact: Transact,
  ) {}

  pending(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM forward').one().n;
  }

  nextWake(now: number): number | null {
    return this.pending() > 0 ? now + RELAY_RETRY_MS : null;
  }

  async onAlarm(_now: number, log: Logger): Promise<void> {
    const config = this.config();
    if (!config) return;
    const rows = this.sql
      .exec<{ id: string; queue_id: string; body: string }>('SELECT id, queue_id, body FROM forward LIMIT 1000')
      .toArray();
    const byQueue = new Map<string, { ids: string[]; batch: QueueBatch }>();
    for (const r of rows) {
      const g = byQueue.get(r.queue_id) ?? {
        ids: [],
        batch: { queueId: r.queue_id, events: [], presence: [], ensure: [], timelines: [] },
      };
      g.ids.push(r.id);
      const body = JSON.parse(r.body) as { event?: QueueBatch['events'][number]; timeline?: QueueBatch['timelines'][number] };
      if (body.event) g.batch.events.push(body.event);
      if (body.timeline) g.batch.timelines.push(body.timeline);
      byQueue.set(r.queue_id, g);
    }
    for (const [queueId, g] of byQueue) {
      try {
        await this.link.send(config, g.batch);
        this.transact(() => {
          for (const id of g.ids) this.sql.exec('DELETE FROM forward WHERE id = ?', id);
        });
      } catch (err) {
        log.warn('relay to queue failed; will retry', { queueId, ...errorFields(err) });
      }
    }
  }
}
