/**
 * The transactional outbox of a Durable Object (docs/ARCHITECTURE.md, The outbox): records and events
 * are written here in the same storage transaction as the state they come from, and an alarm drains
 * them to Postgres. Records keep only their newest version (a record changed five times before a
 * flush is sent once); events are appended once each.
 */
export const OUTBOX_DDL = `
  CREATE TABLE outbox_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE TABLE outbox_events (id TEXT PRIMARY KEY, body TEXT NOT NULL, enqueued_at INTEGER NOT NULL);
  CREATE TABLE outbox_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_flush_at INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    flushed_rows INTEGER NOT NULL DEFAULT 0,
    flush_ms INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO outbox_state (id, failures) VALUES (1, 0);
`;

export type RecordKind = 'interaction' | 'visit' | 'segment' | 'interval' | 'queue' | 'agent' | 'delivery';

/** What one flush transaction carries of record bodies, at most (deliveries carry raw bodies). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface OutboxRecord {
  kind: RecordKind;
  id: string;
  version: number;
  /** null means the record no longer exists and must be removed. */
  body: unknown;
}

export interface OutboxBatch {
  records: OutboxRecord[];
  events: { id: string; body: unknown }[];
}

export interface OutboxStatus {
  backlog: number;
  records: number;
  events: number;
  lastFlushAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  failures: number;
  nextAttemptAt: number | null;
  /** Rows written to Postgres so far, and the time spent writing them (the flush rate). */
  flushedRows: number;
  flushMs: number;
}

/** Retry delay after `failures` consecutive failed flushes: 1 s doubling to a 60 s ceiling. */
export function backoffMs(failures: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, failures - 1));
}

export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  putRecord(kind: RecordKind, id: string, version: number, body: unknown): void {
    this.sql.exec(
      `INSERT INTO outbox_records (kind, id, body, version) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, version = excluded.version`,
      kind,
      id,
      JSON.stringify(body),
      version,
    );
  }

  /** Appends an event once; `replace` (a revised event) overwrites a pending copy with the new content. */
  putEvent(id: string, body: unknown, now: number, replace = false): void {
    this.sql.exec(
      `INSERT ${replace ? 'OR REPLACE' : 'OR IGNORE'} INTO outbox_events (id, body, enqueued_at) VALUES (?, ?, ?)`,
      id,
      JSON.stringify(body),
      now,
    );
  }

  /**
   * The oldest pending work, at most `limit` records and `limit` events, and records of at most
   * `maxBytes` together (always at least one): a batch of raw webhook deliveries stays a few MB.
   */
  take(limit: number, maxBytes = MAX_BATCH_BYTES): OutboxBatch {
    const records: OutboxRecord[] = [];
    let bytes = 0;
    const cursor = this.sql.exec<{ kind: RecordKind; id: string; body: string; version: number }>(
      'SELECT kind, id, body, version FROM outbox_records ORDER BY rowid LIMIT ?',
      limit,
    );
    for (const r of cursor) {
      if (records.length > 0 && bytes + r.body.length > maxBytes) break;
      bytes += r.body.length;
      records.push({ kind: r.kind, id: r.id, version: r.version, body: JSON.parse(r.body) });
    }
    const events = this.sql
      .exec<{ id: string; body: string }>('SELECT id, body FROM outbox_events ORDER BY enqueued_at, id LIMIT ?', limit)
      .toArray()
      .map((r) => ({ id: r.id, body: JSON.parse(r.body) }));
    return { records, events };
  }

  /** Removes what was written; a record that changed meanwhile (newer version) stays for the next flush. */
  ack(batch: OutboxBatch): void {
    for (const r of batch.records) {
      this.sql.exec('DELETE FROM outbox_records WHERE kind = ? AND id = ? AND version = ?', r.kind, r.id, r.version);
    }
    for (const e of batch.events) this.sql.exec('DELETE FROM outbox_events WHERE id = ?', e.id);
  }

  recordSuccess(now: number, rows: number, ms: number): void {
    this.sql.exec(
      `UPDATE outbox_state SET last_flush_at = ?, failures = 0, next_attempt_at = NULL,
         flushed_rows = flushed_rows + ?, flush_ms = flush_ms + ? WHERE id = 1`,
      now,
      rows,
      ms,
    );
  }

  /** Notes a failed flush and returns when to try again. */
  recordFailure(now: number, error: string): number {
    const failures = this.status().failures + 1;
    const next = now + backoffMs(failures);
    this.sql.exec(
      'UPDATE outbox_state SET last_error = ?, last_error_at = ?, failures = ?, next_attempt_at = ? WHERE id = 1',
      error.slice(0, 500),
      now,
      failures,
      next,
    );
    return next;
  }

  status(): OutboxStatus {
    const counts = this.sql
      .exec<{ r: number; e: number }>(
        'SELECT (SELECT count(*) FROM outbox_records) AS r, (SELECT count(*) FROM outbox_events) AS e',
      )
      .one();
    const s = this.sql
      .exec<{
        last_flush_at: number | null;
        last_error: string | null;
        last_error_at: number | null;
        failures: number;
        next_attempt_at: number | null;
        flushed_rows: number;
        flush_ms: number;
      }>(
        'SELECT last_flush_at, last_error, last_error_at, failures, next_attempt_at, flushed_rows, flush_ms FROM outbox_state WHERE id = 1',
      )
      .one();
    return {
      backlog: counts.r + counts.e,
      records: counts.r,
      events: counts.e,
      lastFlushAt: s.last_flush_at,
      lastError: s.last_error,
      lastErrorAt: s.last_error_at,
      failures: s.failures,
      nextAttemptAt: s.next_attempt_at,
      flushedRows: s.flushed_rows,
      flushMs: s.flush_ms,
    };
  }
}
