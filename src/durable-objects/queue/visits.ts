/**
 * The queue's waiting callers as the live view reads them: its open visit records (`records.open_since`, the
 * enqueue time of a visit still open, kept by the projection as it writes the record). Today's counters come from
 * the records through the KPI catalog (`live-kpis.ts`), never from here.
 */
export class VisitStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The first `limit` callers waiting, in the order they joined (the order they are answered in). */
  waitingList(limit: number): { id: string; interactionId: string; enqueuedAt: number }[] {
    return this.sql
      .exec<{ id: string; interaction_id: string; open_since: number }>(
        'SELECT id, interaction_id, open_since FROM records WHERE open_since IS NOT NULL ORDER BY open_since, id LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, interactionId: r.interaction_id, enqueuedAt: r.open_since }));
  }

  /** Callers waiting now, and since when the longest has. */
  waiting(): { n: number; oldest: number | null } {
    return this.sql
      .exec<{ n: number; oldest: number | null }>(
        'SELECT count(*) AS n, min(open_since) AS oldest FROM records WHERE open_since IS NOT NULL',
      )
      .one();
  }
}
