import { type AnyEvent, sameContent } from '../../domain/events/normalized';
import type { Outbox } from '../outbox';

/**
 * A queue's event log (`events`): each event once by id, appended to the outbox as it is kept. The
 * memory of seen ids is what makes a repeat a `duplicate` (kept at least `SEEN_RETENTION_MS`).
 */
export class EventStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Keeps an event unless its id was seen (then `duplicate`; re-normalization replaces one whose
   * content changed: `revised`). Returns the interactions it touched (a revised event may move).
   */
  keep(
    e: AnyEvent & { interactionId: string },
    now: number,
    revise: boolean,
  ): { status: 'accepted' | 'duplicate' | 'revised'; touched: string[] } {
    const interactionId = e.interactionId;
    const seen = this.sql.exec<{ body: string }>('SELECT body FROM events WHERE id = ?', e.id).toArray()[0];
    if (seen && (!revise || sameContent(JSON.parse(seen.body) as AnyEvent, e))) return { status: 'duplicate', touched: [] };
    if (seen) {
      // A re-normalized delivery says something else about this event: the new content wins.
      this.sql.exec(
        'UPDATE events SET interaction_id = ?, occurred_at = ?, body = ? WHERE id = ?',
        interactionId,
        e.occurredAt,
        JSON.stringify(e),
        e.id,
      );
      this.outbox.putEvent(e.id, e, now, true);
      const before = (JSON.parse(seen.body) as AnyEvent).interactionId;
      return { status: 'revised', touched: before && before !== interactionId ? [interactionId, before] : [interactionId] };
    }
    this.sql.exec(
      'INSERT INTO events (id, interaction_id, occurred_at, received_at, body) VALUES (?, ?, ?, ?, ?)',
      e.id,
      interactionId,
      e.occurredAt,
      now,
      JSON.stringify(e),
    );
    this.outbox.putEvent(e.id, e, now);
    return { status: 'accepted', touched: [interactionId] };
  }

  eventsOf(interactionId: string): AnyEvent[] {
    return this.sql
      .exec<{ body: string }>('SELECT body FROM events WHERE interaction_id = ?', interactionId)
      .toArray()
      .map((r) => JSON.parse(r.body) as AnyEvent);
  }

  forget(interactionId: string): void {
    this.sql.exec('DELETE FROM events WHERE interaction_id = ?', interactionId);
  }
}
