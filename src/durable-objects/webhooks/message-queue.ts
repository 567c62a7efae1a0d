/**
 * The durable queue of outgoing messages: one row per (endpoint, event) until it is delivered or given up,
 * each event's body once, and the event ids already published. Never opens a transaction itself.
 */

/** Messages kept per endpoint at most; beyond it the oldest is given up. */
export const MAX_QUEUED_PER_ENDPOINT = 10_000;

/** A published event id is remembered this long: publishing it again within it queues nothing. */
export const PUBLISHED_RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface LeasedMessage {
  seq: number;
  endpointId: string;
  messageId: string;
  eventType: string;
  body: string;
}

/** A message given up to make room (the endpoint's queue was full). */
export interface DroppedMessage {
  endpointId: string;
  messageId: string;
  eventType: string;
  attempts: number;
}

export class MessageQueue {
  constructor(private readonly sql: SqlStorage) {}

  /** The message id an event was published as, if it was (within `PUBLISHED_RETENTION_MS`). */
  publishedAs(eventId: string): string | null {
    return (
      this.sql.exec<{ m: string }>('SELECT message_id AS m FROM published WHERE event_id = ?', eventId).toArray()[0]?.m ?? null
    );
  }

  /**
   * Queues one message per endpoint, the body once; returns the messages given up to keep each endpoint's
   * queue within `MAX_QUEUED_PER_ENDPOINT` (its oldest).
   */
  enqueue(
    message: { eventId: string; messageId: string; eventType: string; body: string },
    endpointIds: readonly string[],
    now: number,
  ): DroppedMessage[] {
    this.sql.exec(
      'INSERT OR IGNORE INTO published (event_id, message_id, at) VALUES (?, ?, ?)',
      message.eventId,
      message.messageId,
      now,
    );
    this.sql.exec(
      'INSERT OR IGNORE INTO payloads (message_id, event_type, body) VALUES (?, ?, ?)',
      message.messageId,
      message.eventType,
      message.body,
    );
    this.sql.exec(
      `INSERT OR IGNORE INTO messages (endpoint_id, message_id, enqueued_at, next_attempt_at)
       SELECT value, ?, ?, ? FROM json_each(?)`,
      message.messageId,
      now,
      now,
      JSON.stringify(endpointIds),
    );
    const dropped: DroppedMessage[] = [];
    for (const endpointId of endpointIds) {
      const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM messages WHERE endpoint_id = ?', endpointId).one();
      if (n <= MAX_QUEUED_PER_ENDPOINT) continue;
      const oldest = this.sql
        .exec<{ seq: number; message_id: string; event_type: string; attempts: number }>(
          `SELECT m.seq, m.message_id, coalesce(p.event_type, '') AS event_type, m.attempts
           FROM messages m LEFT JOIN payloads p USING (message_id)
           WHERE m.endpoint_id = ? ORDER BY m.seq LIMIT ?`,
          endpointId,
          n - MAX_QUEUED_PER_ENDPOINT,
        )
        .toArray();
      for (const m of oldest) {
        this.complete(m.seq);
        dropped.push({ endpointId, messageId: m.message_id, eventType: m.event_type, attempts: m.attempts });
      }
    }
    return dropped;
  }

  /**
   * Takes up to `limit` messages due at `now` of enabled endpoints, oldest due first, and leases them: they are
   * not due again before `now + leaseMs` (if the object dies mid-send, they are sent again then).
   */
  lease(now: number, limit: number, leaseMs: number): LeasedMessage[] {
    const rows = this.sql
      .exec<{ seq: number; endpoint_id: string; message_id: string; event_type: string; body: string }>(
        `SELECT m.seq, m.endpoint_id, m.message_id, p.event_type, p.body
         FROM messages m JOIN endpoints e ON e.id = m.endpoint_id JOIN payloads p ON p.message_id = m.message_id
         WHERE e.enabled = 1 AND m.next_attempt_at <= ?
         ORDER BY m.next_attempt_at, m.seq LIMIT ?`,
        now,
        limit,
      )
      .toArray();
    this.markLeased(
      rows.map((r) => r.seq),
      now,
      leaseMs,
    );
    return rows.map((r) => ({
      seq: r.seq,
      endpointId: r.endpoint_id,
      messageId: r.message_id,
      eventType: r.event_type,
      body: r.body,
    }));
  }

  /** Leases one message whatever its due time (a test delivery, sent at once). */
  leaseOne(endpointId: string, messageId: string, now: number, leaseMs: number): LeasedMessage | null {
    const row = this.sql
      .exec<{ seq: number; event_type: string; body: string }>(
        `SELECT m.seq, p.event_type, p.body FROM messages m JOIN payloads p USING (message_id)
         WHERE m.endpoint_id = ? AND m.message_id = ?`,
        endpointId,
        messageId,
      )
      .toArray()[0];
    if (!row) return null;
    this.markLeased([row.seq], now, leaseMs);
    return { seq: row.seq, endpointId, messageId, eventType: row.event_type, body: row.body };
  }

  private markLeased(seqs: number[], now: number, leaseMs: number): void {
    if (seqs.length === 0) return;
    this.sql.exec(
      `UPDATE messages SET next_attempt_at = ?, first_attempt_at = coalesce(first_attempt_at, ?)
       WHERE seq IN (SELECT value FROM json_each(?))`,
      now + leaseMs,
      now,
      JSON.stringify(seqs),
    );
  }

  /** A message's attempts so far and its first attempt's time; null once it is gone (its endpoint was deleted). */
  progress(seq: number): { attempts: number; firstAttemptAt: number | null } | null {
    const row = this.sql
      .exec<{ attempts: number; first_attempt_at: number | null }>(
        'SELECT attempts, first_attempt_at FROM messages WHERE seq = ?',
        seq,
      )
      .toArray()[0];
    return row ? { attempts: row.attempts, firstAttemptAt: row.first_attempt_at } : null;
  }

  /** Done with a message (delivered or given up); its body goes with its last message. */
  complete(seq: number): void {
    const row = this.sql.exec<{ m: string }>('DELETE FROM messages WHERE seq = ? RETURNING message_id AS m', seq).toArray()[0];
    if (row)
      this.sql.exec(
        'DELETE FROM payloads WHERE message_id = ? AND NOT EXISTS (SELECT 1 FROM messages WHERE message_id = ?)',
        row.m,
        row.m,
      );
  }

  reschedule(seq: number, attempts: number, nextAttemptAt: number): void {
    this.sql.exec('UPDATE messages SET attempts = ?, next_attempt_at = ? WHERE seq = ?', attempts, nextAttemptAt, seq);
  }

  /** When the next message of an enabled endpoint is due (leased ones: when their lease ends), or null. */
  nextDue(): number | null {
    return this.sql
      .exec<{ t: number | null }>(
        'SELECT min(m.next_attempt_at) AS t FROM messages m JOIN endpoints e ON e.id = m.endpoint_id WHERE e.enabled = 1',
      )
      .one().t;
  }

  /** Messages waiting per endpoint. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.sql.exec<{ endpoint_id: string; n: number }>(
      'SELECT endpoint_id, count(*) AS n FROM messages GROUP BY endpoint_id',
    )) {
      out[r.endpoint_id] = r.n;
    }
    return out;
  }

  /** Forgets published event ids older than the retention. */
  prunePublished(now: number): void {
    this.sql.exec('DELETE FROM published WHERE at < ?', now - PUBLISHED_RETENTION_MS);
  }
}
