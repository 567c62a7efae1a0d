import type { VisitRecord } from '../../domain/calls/records';
import { FLOW_OUT_OUTCOMES } from '../../domain/events/event-types';

export interface VisitCounts {
  offered: number;
  answered: number;
  abandoned: number;
  flowed: number;
  unknown: number;
}

/**
 * The queue's visits as the live view reads them (`visits`): replaced whole from each projection,
 * so live counters are derived from the records, never incremented.
 */
export class VisitStore {
  constructor(private readonly sql: SqlStorage) {}

  replace(interactionId: string, visits: readonly Pick<VisitRecord, 'id' | 'enqueuedAt' | 'outcome'>[]): void {
    this.forget(interactionId);
    for (const v of visits) {
      this.sql.exec(
        'INSERT INTO visits (id, interaction_id, enqueued_at, outcome, open) VALUES (?, ?, ?, ?, ?)',
        v.id,
        interactionId,
        v.enqueuedAt,
        v.outcome,
        v.outcome === null ? 1 : 0,
      );
    }
  }

  /** `replace` for several interactions at once, in two statements: their visits are `visits` now. */
  replaceAll(interactionIds: readonly string[], visits: readonly [string, string, number, string | null, number][]): void {
    if (interactionIds.length === 0) return;
    this.sql.exec('DELETE FROM visits WHERE interaction_id IN (SELECT value FROM json_each(?))', JSON.stringify(interactionIds));
    if (visits.length === 0) return;
    this.sql.exec(
      `INSERT INTO visits (id, interaction_id, enqueued_at, outcome, open)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]')
       FROM json_each(?)`,
      JSON.stringify(visits),
    );
  }

  forget(interactionId: string): void {
    this.sql.exec('DELETE FROM visits WHERE interaction_id = ?', interactionId);
  }

  /** Visits that started at or after `start`, by outcome (the "today" counters). */
  countsSince(start: number): VisitCounts {
    const flowOut = FLOW_OUT_OUTCOMES.map((o) => `'${o}'`).join(',');
    return this.sql
      .exec<{ offered: number; answered: number; abandoned: number; flowed: number; unknown: number }>(
        `SELECT count(*) AS offered,
           coalesce(sum(outcome = 'answered'), 0) AS answered,
           coalesce(sum(outcome = 'abandoned'), 0) AS abandoned,
           coalesce(sum(outcome IN (${flowOut})), 0) AS flowed,
           coalesce(sum(outcome = 'unknown'), 0) AS unknown
         FROM visits WHERE enqueued_at >= ?`,
        start,
      )
      .one();
  }

  /** The first `limit` callers waiting, in the order they joined (the order they are answered in). */
  waitingList(limit: number): { id: string; interactionId: string; enqueuedAt: number }[] {
    return this.sql
      .exec<{ id: string; interaction_id: string; enqueued_at: number }>(
        'SELECT id, interaction_id, enqueued_at FROM visits WHERE open = 1 ORDER BY enqueued_at, id LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, interactionId: r.interaction_id, enqueuedAt: r.enqueued_at }));
  }

  /** Callers waiting now, and since when the longest has. */
  waiting(): { n: number; oldest: number | null } {
    return this.sql
      .exec<{ n: number; oldest: number | null }>('SELECT count(*) AS n, min(enqueued_at) AS oldest FROM visits WHERE open = 1')
      .one();
  }
}
