import type { Logger } from '../../lib/log';
import { errorFields } from '../../lib/log';
import type { Wakeable } from '../lifecycle';
import type { LiveSnapshot } from './queue.types';

/** At most this often a queue pushes its snapshot (4 a second); changes in between are coalesced into the next. */
export const LIVE_PUSH_INTERVAL_MS = 250;
/** A watched queue pushes at least this often, events or not: rolling windows move and waits grow. */
export const LIVE_REFRESH_MS = 10_000;

/**
 * Pushes the queue's live snapshot to the tenant's live hub while someone watches it (the hub renews a lease:
 * `watch`). Every change asks for a push (`changed`); pushes are coalesced to one per `LIVE_PUSH_INTERVAL_MS`,
 * each with the next sequence number (kept in storage, so it survives an eviction and a client can tell a gap
 * from a restart), and one comes at least every `LIVE_REFRESH_MS` through the alarm. A push that fails is
 * logged and not retried: the next one carries the whole state anyway (the client sees the gap in `seq`).
 */
export class LivePublisher implements Wakeable {
  private lastPushAt = 0;
  /** Records changed since the last push (the stale sweep changes them from the alarm, not from a request). */
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private cached: { seq: number; watchedUntil: number } | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly ready: () => boolean,
    private readonly snapshot: (seq: number) => LiveSnapshot,
    private readonly send: (snapshot: LiveSnapshot) => Promise<void>,
    private readonly log: () => Logger | null,
  ) {}

  /** The sequence number of the last push (0: none yet). */
  seq(): number {
    return this.state().seq;
  }

  /** Someone watches this queue until `until` (the hub renews it); answers the snapshot as of now. */
  watch(until: number): LiveSnapshot {
    const s = this.state();
    if (until > s.watchedUntil) this.store(s.seq, until);
    return this.snapshot(s.seq);
  }

  private watched(now: number): boolean {
    return this.ready() && this.state().watchedUntil > now;
  }

  /** Records changed inside a storage transaction: the alarm's step pushes them, unless a request does first. */
  markChanged(): void {
    this.pending = true;
  }

  /** The state changed: push now, or at the end of the current interval if one was pushed less than 250 ms ago. */
  changed(now: number): void {
    if (!this.watched(now) || this.timer !== null) return;
    const due = this.lastPushAt + LIVE_PUSH_INTERVAL_MS;
    if (now >= due) {
      void this.push(now);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.push(Date.now());
    }, due - now);
  }

  nextWake(now: number): number | null {
    return this.watched(now) ? Math.max(now, this.lastPushAt + LIVE_REFRESH_MS) : null;
  }

  async onAlarm(now: number): Promise<void> {
    if (!this.watched(now)) return;
    if (this.pending || now >= this.lastPushAt + LIVE_REFRESH_MS - LIVE_PUSH_INTERVAL_MS) await this.push(now);
  }

  private async push(now: number): Promise<void> {
    this.lastPushAt = now;
    this.pending = false;
    const seq = this.state().seq + 1;
    this.store(seq, this.state().watchedUntil);
    try {
      await this.send(this.snapshot(seq));
    } catch (err) {
      this.log()?.warn('live push failed; the next push carries the whole state', { seq, ...errorFields(err) });
    }
  }

  private state(): { seq: number; watchedUntil: number } {
    if (this.cached) return this.cached;
    if (!this.ready()) return { seq: 0, watchedUntil: 0 };
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'live'").toArray()[0];
    this.cached = row ? (JSON.parse(row.value) as { seq: number; watchedUntil: number }) : { seq: 0, watchedUntil: 0 };
    return this.cached;
  }

  private store(seq: number, watchedUntil: number): void {
    this.cached = { seq, watchedUntil };
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('live', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(this.cached),
    );
  }
}
