import { projectInteraction } from '../../domain/calls/project';
import type { Projection } from '../../domain/calls/records';
import type { Outbox, RecordKind } from '../outbox';
import type { EventStore } from './event-store';
import type { InteractionTimeline } from './queue.types';
import type { VisitStore } from './visits';

type RecordRow = { kind: RecordKind; id: string; body: string; version: number };

/**
 * Each interaction's records (`records`, `interactions`, `timelines`), projected again from all its
 * events whenever one arrives (an order-independent merge): a record that changed gets a new version
 * and goes to the outbox; one the projection no longer produces is removed downstream too.
 */
export class ProjectionStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
    private readonly events: EventStore,
    private readonly visits: VisitStore,
  ) {}

  /** Keeps the interaction's queue timeline; true when it changed (the interaction is projected again). */
  setTimeline(tl: InteractionTimeline): boolean {
    const body = JSON.stringify(tl.joins);
    const prev = this.sql
      .exec<{ body: string }>('SELECT body FROM timelines WHERE interaction_id = ?', tl.interactionId)
      .toArray()[0];
    if (prev?.body === body) return false;
    this.sql.exec('INSERT OR REPLACE INTO timelines (interaction_id, body) VALUES (?, ?)', tl.interactionId, body);
    return true;
  }

  /** Projects an interaction again and records what changed (new version, outbox). */
  reproject(queueId: string, interactionId: string, now: number, opts: { clearStale: boolean }): void {
    const events = this.events.eventsOf(interactionId);
    if (events.length === 0) return;
    const state = this.sql
      .exec<{ stale_since: number | null }>('SELECT stale_since FROM interactions WHERE id = ?', interactionId)
      .toArray()[0];
    const staleSince = opts.clearStale ? null : (state?.stale_since ?? null);
    const timeline = this.sql
      .exec<{ body: string }>('SELECT body FROM timelines WHERE interaction_id = ?', interactionId)
      .toArray()[0];
    const p = projectInteraction({
      interactionId,
      queueId,
      events,
      staleSince,
      timeline: timeline ? JSON.parse(timeline.body) : [],
    });
    const firstEventAt = Math.min(...events.map((e) => e.occurredAt));
    const lastEventAt = Math.max(...events.map((e) => e.occurredAt));
    this.saveRecords(interactionId, p, firstEventAt, lastEventAt);
    const active = p.visits.some((v) => v.outcome === null) || p.segments.some((s) => s.disconnectedAt === null);
    this.sql.exec(
      `INSERT INTO interactions (id, first_event_at, last_event_at, last_received_at, stale_since, active) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET first_event_at = excluded.first_event_at, last_event_at = excluded.last_event_at,
         last_received_at = CASE WHEN ? THEN excluded.last_received_at ELSE interactions.last_received_at END,
         stale_since = excluded.stale_since, active = excluded.active`,
      interactionId,
      firstEventAt,
      lastEventAt,
      now,
      staleSince,
      active ? 1 : 0,
      opts.clearStale ? 1 : 0,
    );
    this.visits.replace(interactionId, p.visits);
  }

  /** Marks an interaction silent since `now` (its open visits end `unknown`) and projects it again. */
  markStale(queueId: string, interactionId: string, now: number): void {
    this.sql.exec('UPDATE interactions SET stale_since = ? WHERE id = ?', now, interactionId);
    this.reproject(queueId, interactionId, now, { clearStale: false });
  }

  /** Active interactions silent since `cutoff` that are not marked stale yet. */
  silentSince(cutoff: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        'SELECT id FROM interactions WHERE active = 1 AND stale_since IS NULL AND last_received_at <= ?',
        cutoff,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** When the quietest active interaction last heard something (null: none active). */
  oldestActive(): number | null {
    return this.sql
      .exec<{ t: number | null }>('SELECT min(last_received_at) AS t FROM interactions WHERE active = 1 AND stale_since IS NULL')
      .one().t;
  }

  /** When the quietest interaction of all last heard something (null: none). */
  oldest(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT min(last_received_at) AS t FROM interactions').one().t;
  }

  /** Up to `limit` interactions quiet since `cutoff`. */
  quietSince(cutoff: number, limit: number): string[] {
    return this.sql
      .exec<{ id: string }>('SELECT id FROM interactions WHERE last_received_at <= ? LIMIT ?', cutoff, limit)
      .toArray()
      .map((r) => r.id);
  }

  /** Forgets an interaction's records, timeline and state (its events and visits are forgotten by their stores). */
  forget(interactionId: string): void {
    this.sql.exec('DELETE FROM records WHERE interaction_id = ?', interactionId);
    this.sql.exec('DELETE FROM interactions WHERE id = ?', interactionId);
    this.sql.exec('DELETE FROM timelines WHERE interaction_id = ?', interactionId);
  }

  private saveRecords(interactionId: string, p: Projection, firstEventAt: number, lastEventAt: number): void {
    const current = new Map(
      this.sql
        .exec<RecordRow>('SELECT kind, id, body, version FROM records WHERE interaction_id = ?', interactionId)
        .toArray()
        .map((r) => [`${r.kind}:${r.id}`, r]),
    );
    const next: { kind: RecordKind; id: string; body: unknown }[] = [
      { kind: 'interaction', id: interactionId, body: { ...p.interaction, firstEventAt, lastEventAt } },
      ...p.visits.map((v) => ({ kind: 'visit' as const, id: v.id, body: v })),
      ...p.segments.map((s) => ({ kind: 'segment' as const, id: s.id, body: s })),
    ];
    for (const r of next) {
      const body = JSON.stringify(r.body);
      const prev = current.get(`${r.kind}:${r.id}`);
      current.delete(`${r.kind}:${r.id}`);
      if (prev?.body === body) continue;
      const version = (prev?.version ?? 0) + 1;
      this.sql.exec(
        `INSERT INTO records (kind, id, interaction_id, body, version) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, version = excluded.version`,
        r.kind,
        r.id,
        interactionId,
        body,
        version,
      );
      this.outbox.putRecord(r.kind, r.id, version, r.body);
    }
    // Records the projection no longer produces are removed downstream too.
    for (const gone of current.values()) {
      this.sql.exec('DELETE FROM records WHERE kind = ? AND id = ?', gone.kind, gone.id);
      this.outbox.putRecord(gone.kind, gone.id, gone.version + 1, null);
    }
  }
}
