import { type AnyEvent, sameContent } from '../../domain/events/normalized';
import type { Outbox } from '../outbox';
import { insertRows } from '../sql-rows';

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
   * Keeps a batch's events, each unless its id was seen (then `duplicate`; re-normalization replaces
   * one whose content changed: `revised`). Returns each event's status, in order, and the
   * interactions they touched (a revised event may move), with the bodies this batch stored for each
   * (`written`: of an interaction that had no events before, all it has). One statement looks up every
   * id of the batch and one appends the new events (and one their outbox rows): per event, a statement
   * costs about what projecting it does (docs/benchmarks.md).
   */
  keepAll(
    events: readonly (AnyEvent & { interactionId: string })[],
    now: number,
    revise: boolean,
  ): { statuses: ('accepted' | 'duplicate' | 'revised')[]; touched: Set<string>; written: Map<string, Map<string, string>> } {
    const statuses: ('accepted' | 'duplicate' | 'revised')[] = [];
    const touched = new Set<string>();
    // By interaction, by event id: what is stored now (an id revised twice in the batch once, as it is stored).
    const written = new Map<string, Map<string, string>>();
    const wrote = (interactionId: string, id: string, body: string) => {
      const bodies = written.get(interactionId);
      if (bodies) bodies.set(id, body);
      else written.set(interactionId, new Map([[id, body]]));
    };
    if (events.length === 0) return { statuses, touched, written };
    // What is stored under each id, as this batch goes (an id may come twice).
    const stored = new Map<string, string>();
    for (const r of this.sql.exec<{ id: string; body: string }>(
      'SELECT id, body FROM events WHERE id IN (SELECT value FROM json_each(?))',
      JSON.stringify(events.map((e) => e.id)),
    )) {
      stored.set(r.id, r.body);
    }
    let pending: { id: string; interactionId: string; occurredAt: number; body: string }[] = [];
    const appendPending = () => {
      if (pending.length === 0) return;
      insertRows(
        this.sql,
        'INSERT INTO events (id, interaction_id, occurred_at, received_at, body)',
        pending.map((e) => [e.id, e.interactionId, e.occurredAt, now, e.body]),
      );
      this.outbox.putEventTexts(pending, now);
      pending = [];
    };
    for (const e of events) {
      const interactionId = e.interactionId;
      const seen = stored.get(e.id);
      if (seen !== undefined && (!revise || sameContent(JSON.parse(seen) as AnyEvent, e))) {
        statuses.push('duplicate');
        continue;
      }
      const body = JSON.stringify(e);
      stored.set(e.id, body);
      if (seen !== undefined) {
        // A re-normalized delivery says something else about this event: the new content wins.
        appendPending();
        this.sql.exec(
          'UPDATE events SET interaction_id = ?, occurred_at = ?, body = ? WHERE id = ?',
          interactionId,
          e.occurredAt,
          body,
          e.id,
        );
        this.outbox.putEventTexts([{ id: e.id, body }], now, true);
        const before = (JSON.parse(seen) as AnyEvent).interactionId;
        if (before) written.get(before)?.delete(e.id);
        wrote(interactionId, e.id, body);
        touched.add(interactionId);
        if (before && before !== interactionId) touched.add(before);
        statuses.push('revised');
        continue;
      }
      pending.push({ id: e.id, interactionId, occurredAt: e.occurredAt, body });
      wrote(interactionId, e.id, body);
      touched.add(interactionId);
      statuses.push('accepted');
    }
    appendPending();
    return { statuses, touched, written };
  }

  /** Every event of these interactions, by interaction. */
  eventsOfAll(interactionIds: readonly string[]): Map<string, AnyEvent[]> {
    const out = new Map<string, AnyEvent[]>();
    for (const r of this.sql.exec<{ interaction_id: string; body: string }>(
      'SELECT interaction_id, body FROM events WHERE interaction_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(interactionIds),
    )) {
      const list = out.get(r.interaction_id);
      const e = JSON.parse(r.body) as AnyEvent;
      if (list) list.push(e);
      else out.set(r.interaction_id, [e]);
    }
    return out;
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
