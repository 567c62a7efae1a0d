import { projectInteraction } from '../../domain/calls/project';
import type { Projection } from '../../domain/calls/records';
import type { AnyEvent } from '../../domain/events/normalized';
import type { Outbox, RecordKind } from '../outbox';
import { insertRows } from '../sql-rows';
import type { EventStore } from './event-store';
import type { InteractionTimeline } from './queue.types';

/** Interactions' timelines as just kept (undefined: none kept). */
export type KnownTimelines = Map<string, string | undefined>;

type RecordRow = { kind: RecordKind; id: string; interactionId: string; body: string; version: number };

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
    /** Told which interactions' records were written or forgotten (inside the storage transaction). */
    private readonly onChange: (interactionIds: readonly string[]) => void = () => {},
  ) {}

  /**
   * Keeps interactions' queue timelines; returns those that changed (they are projected again). One
   * statement reads them all, one writes the changed ones. A timeline of this queue alone says nothing
   * an empty one does not (every event is this queue's): it is not kept, and removes one kept before.
   */
  setTimelines(timelines: readonly InteractionTimeline[]): { changed: Set<string>; known: KnownTimelines } {
    const changed = new Set<string>();
    // Every interaction given, with the timeline kept for it now (undefined: none).
    const known: KnownTimelines = new Map();
    if (timelines.length === 0) return { changed, known };
    const current = new Map<string, string>();
    for (const r of this.sql.exec<{ interaction_id: string; body: string }>(
      'SELECT interaction_id, body FROM timelines WHERE interaction_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(timelines.map((tl) => tl.interactionId)),
    )) {
      current.set(r.interaction_id, r.body);
    }
    const gone: string[] = [];
    for (const tl of timelines) {
      const body = tl.joins.length > 1 ? JSON.stringify(tl.joins) : undefined;
      if (current.get(tl.interactionId) === body) continue;
      if (body === undefined) {
        current.delete(tl.interactionId);
        gone.push(tl.interactionId);
      } else current.set(tl.interactionId, body);
      changed.add(tl.interactionId);
    }
    if (gone.length > 0) {
      this.sql.exec('DELETE FROM timelines WHERE interaction_id IN (SELECT value FROM json_each(?))', JSON.stringify(gone));
    }
    const kept = [...changed].flatMap((id) => {
      const body = current.get(id);
      return body === undefined ? [] : [[id, body]];
    });
    insertRows(this.sql, 'INSERT OR REPLACE INTO timelines (interaction_id, body)', kept);
    for (const tl of timelines) known.set(tl.interactionId, current.get(tl.interactionId));
    return { changed, known };
  }

  /**
   * Projects interactions again and records what changed (new version, outbox). Each step is one
   * statement for all of them (their events, states, timelines and records are read together, the
   * changes written together): a batch of a few calls costs a dozen statements, not a dozen per call.
   * What the caller already knows is not read again: `written`, the event bodies the batch just stored
   * by interaction (one without an `interactions` row had no events, hence no records, before them:
   * those bodies are all its events), and `timelines`, the timelines just kept.
   */
  reproject(
    queueId: string,
    interactionIds: Iterable<string>,
    now: number,
    opts: { clearStale: boolean; written?: ReadonlyMap<string, ReadonlyMap<string, string>>; timelines?: KnownTimelines },
  ): void {
    const ids = [...interactionIds];
    if (ids.length === 0) return;
    const staleOf = new Map<string, number | null>();
    for (const r of this.sql.exec<{ id: string; stale_since: number | null }>(
      'SELECT id, stale_since FROM interactions WHERE id IN (SELECT value FROM json_each(?))',
      JSON.stringify(ids),
    )) {
      staleOf.set(r.id, r.stale_since);
    }
    // Events are written with the interaction's row in one transaction and forgotten with it.
    const fresh = new Set(ids.filter((id) => !staleOf.has(id) && (opts.written?.get(id)?.size ?? 0) > 0));
    const stored = fresh.size === 0 ? ids : ids.filter((id) => !fresh.has(id));
    const storedList = JSON.stringify(stored);
    const eventsOf = stored.length > 0 ? this.events.eventsOfAll(stored) : new Map<string, AnyEvent[]>();
    for (const id of fresh) {
      eventsOf.set(
        id,
        [...(opts.written?.get(id)?.values() ?? [])].map((body) => JSON.parse(body) as AnyEvent),
      );
    }
    const timelineOf = new Map<string, string>();
    const unknownTimelines = opts.timelines ? ids.filter((id) => !opts.timelines?.has(id)) : ids;
    for (const id of ids) {
      const body = opts.timelines?.get(id);
      if (body !== undefined) timelineOf.set(id, body);
    }
    if (unknownTimelines.length > 0) {
      for (const r of this.sql.exec<{ interaction_id: string; body: string }>(
        'SELECT interaction_id, body FROM timelines WHERE interaction_id IN (SELECT value FROM json_each(?))',
        JSON.stringify(unknownTimelines),
      )) {
        timelineOf.set(r.interaction_id, r.body);
      }
    }
    const recordsOf = new Map<string, Map<string, RecordRow>>();
    for (const r of stored.length === 0
      ? []
      : this.sql.exec<Omit<RecordRow, 'interactionId'> & { interaction_id: string }>(
          'SELECT kind, id, interaction_id, body, version FROM records WHERE interaction_id IN (SELECT value FROM json_each(?))',
          storedList,
        )) {
      let m = recordsOf.get(r.interaction_id);
      if (!m) {
        m = new Map();
        recordsOf.set(r.interaction_id, m);
      }
      m.set(`${r.kind}:${r.id}`, { kind: r.kind, id: r.id, interactionId: r.interaction_id, body: r.body, version: r.version });
    }
    const changes: Changes = { records: [], gone: [], interactions: [], projected: [] };
    for (const interactionId of ids) {
      const events = eventsOf.get(interactionId) ?? [];
      if (events.length === 0) continue;
      const staleSince = opts.clearStale ? null : (staleOf.get(interactionId) ?? null);
      const timeline = timelineOf.get(interactionId);
      const p = projectInteraction({
        interactionId,
        queueId,
        events,
        staleSince,
        timeline: timeline ? JSON.parse(timeline) : [],
      });
      let firstEventAt = Number.POSITIVE_INFINITY;
      let lastEventAt = Number.NEGATIVE_INFINITY;
      for (const e of events) {
        if (e.occurredAt < firstEventAt) firstEventAt = e.occurredAt;
        if (e.occurredAt > lastEventAt) lastEventAt = e.occurredAt;
      }
      diffRecords(interactionId, p, firstEventAt, lastEventAt, recordsOf.get(interactionId) ?? new Map(), changes);
      const active = p.visits.some((v) => v.outcome === null) || p.segments.some((s) => s.disconnectedAt === null);
      changes.interactions.push([interactionId, firstEventAt, lastEventAt, staleSince, active ? 1 : 0]);
      changes.projected.push(interactionId);
    }
    this.write(changes, now, opts.clearStale);
  }

  /** Marks an interaction silent since `now` (its open visits end `unknown`) and projects it again. */
  markStale(queueId: string, interactionId: string, now: number): void {
    this.sql.exec('UPDATE interactions SET stale_since = ? WHERE id = ?', now, interactionId);
    this.reproject(queueId, [interactionId], now, { clearStale: false });
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
    this.onChange([interactionId]);
    this.sql.exec('DELETE FROM records WHERE interaction_id = ?', interactionId);
    this.sql.exec('DELETE FROM interactions WHERE id = ?', interactionId);
    this.sql.exec('DELETE FROM timelines WHERE interaction_id = ?', interactionId);
  }

  private write(changes: Changes, now: number, clearStale: boolean): void {
    insertRows(
      this.sql,
      'INSERT INTO records (interaction_id, kind, id, body, version, open_since)',
      changes.records.map((r) => [r.interactionId, r.kind, r.id, r.body, r.version, r.openSince]),
      'ON CONFLICT (interaction_id, kind, id) DO UPDATE SET body = excluded.body, version = excluded.version, open_since = excluded.open_since',
    );
    // Records the projection no longer produces are removed downstream too.
    if (changes.gone.length > 0) {
      this.sql.exec(
        `DELETE FROM records WHERE (interaction_id, kind, id) IN (
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?))`,
        JSON.stringify(changes.gone.map((r) => [r.interactionId, r.kind, r.id])),
      );
    }
    this.outbox.putRecordTexts([
      ...changes.records,
      ...changes.gone.map((r) => ({ kind: r.kind, id: r.id, version: r.version + 1, body: 'null' })),
    ]);
    insertRows(
      this.sql,
      'INSERT INTO interactions (id, first_event_at, last_event_at, last_received_at, stale_since, active)',
      changes.interactions.map(([id, first, last, staleSince, active]) => [id, first, last, now, staleSince, active]),
      `ON CONFLICT (id) DO UPDATE SET first_event_at = excluded.first_event_at, last_event_at = excluded.last_event_at,
         last_received_at = ${clearStale ? 'excluded.last_received_at' : 'interactions.last_received_at'},
         stale_since = excluded.stale_since, active = excluded.active`,
    );
    this.onChange(changes.projected);
  }
}

interface Changes {
  /** `openSince`: a visit's enqueue time while it is open (the live view's waiting callers), else null. */
  records: { kind: RecordKind; id: string; interactionId: string; body: string; version: number; openSince: number | null }[];
  gone: RecordRow[];
  /** id, first and last event, stale since, active. */
  interactions: [string, number, number, number | null, number][];
  /** The interactions projected (their records may have changed). */
  projected: string[];
}

/** What changed among an interaction's records (new version) and which it no longer has. */
function diffRecords(
  interactionId: string,
  p: Projection,
  firstEventAt: number,
  lastEventAt: number,
  current: Map<string, RecordRow>,
  changes: Changes,
): void {
  const next: { kind: RecordKind; id: string; body: unknown; openSince: number | null }[] = [
    { kind: 'interaction', id: interactionId, body: { ...p.interaction, firstEventAt, lastEventAt }, openSince: null },
    ...p.visits.map((v) => ({ kind: 'visit' as const, id: v.id, body: v, openSince: v.outcome === null ? v.enqueuedAt : null })),
    ...p.segments.map((s) => ({ kind: 'segment' as const, id: s.id, body: s, openSince: null })),
  ];
  for (const r of next) {
    const body = JSON.stringify(r.body);
    const key = `${r.kind}:${r.id}`;
    const prev = current.get(key);
    current.delete(key);
    if (prev?.body === body) continue;
    changes.records.push({
      kind: r.kind,
      id: r.id,
      interactionId,
      body,
      version: (prev?.version ?? 0) + 1,
      openSince: r.openSince,
    });
  }
  for (const gone of current.values()) changes.gone.push(gone);
}
