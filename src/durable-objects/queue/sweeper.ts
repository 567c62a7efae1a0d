import type { Logger } from '../../lib/log';
import type { Transact, Wakeable } from '../lifecycle';
import type { Outbox } from '../outbox';
import type { EventStore } from './event-store';
import type { ProjectionStore } from './projection';
import type { QueueMeta } from './queue-meta';

/** Events (and so the memory of which ids were seen) are kept at least this long (docs/ARCHITECTURE.md, Invariants). */
export const SEEN_RETENTION_MS = 72 * 3600 * 1000;
const PRUNE_BATCH = 500;

/**
 * Closes visits of interactions silent for the tenant's stale-visit minutes: their open visits get
 * outcome `unknown`. A later real event clears the mark and projects again. Wakes when the quietest
 * active interaction reaches that age, with the settings the queue has now (`QueueDO.configure`).
 */
export class StaleSweeper implements Wakeable {
  constructor(
    private readonly meta: QueueMeta,
    private readonly projection: ProjectionStore,
    private readonly transact: Transact,
  ) {}

  nextWake(): number | null {
    const meta = this.meta.read();
    const t = meta ? this.projection.oldestActive() : null;
    return meta && t !== null ? t + meta.settings.staleVisitMinutes * 60_000 : null;
  }

  onAlarm(now: number, _log: Logger): void {
    const meta = this.meta.read();
    if (!meta) return;
    const stale = this.projection.silentSince(now - meta.settings.staleVisitMinutes * 60_000);
    if (stale.length === 0) return;
    this.transact(() => {
      for (const id of stale) this.projection.markStale(meta.queueId, id, now);
    });
  }
}

/** Forgets interactions quiet for longer than the seen-id retention (they are in Postgres), only while the outbox is empty. */
export class Pruner implements Wakeable {
  constructor(
    private readonly outbox: Outbox,
    private readonly events: EventStore,
    private readonly projection: ProjectionStore,
    private readonly transact: Transact,
  ) {}

  nextWake(): number | null {
    const t = this.projection.oldest();
    return t === null ? null : t + SEEN_RETENTION_MS;
  }

  onAlarm(now: number, _log: Logger): void {
    if (this.outbox.status().backlog > 0) return;
    const old = this.projection.quietSince(now - SEEN_RETENTION_MS, PRUNE_BATCH);
    if (old.length === 0) return;
    this.transact(() => {
      for (const id of old) {
        this.events.forget(id);
        this.projection.forget(id);
      }
    });
  }
}
