/**
 * The queue's visits as the live view reads them (`visits`: who is waiting, since when), replaced whole from each
 * projection. Today's counters come from the records through the KPI catalog (`live-kpis.ts`), never from here.
 */
export class VisitStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The visits of these interactions are `visits` now (two statements for all of them). */
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
