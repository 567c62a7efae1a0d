/**
 * The transactional outbox of a Durable Object (docs/ARCHITECTURE.md, The outbox): records and events
 * are written here in the same storage transaction as the state they come from, and an alarm drains
 * them to Postgres. Records keep only their newest version (a record changed five times before a
 * flush is sent once); events are appended once each.
 */
import { insertRows } from './sql-rows';

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

/**
 * Rows Postgres refused (a value it cannot store, a broken constraint) are moved here out of the
 * outbox, so they no longer hold back the rows behind them; the tenant sees them in /health and
 * GET /v1/dead-letters. `body` is the outbox's JSON text, where such characters are escapes.
 */
export const OUTBOX_DEAD_LETTERS_DDL = `
  ALTER TABLE outbox_state ADD COLUMN last_error_code TEXT;
  CREATE TABLE outbox_dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER,
    body TEXT NOT NULL,
    code TEXT,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
  );
`;

/** Dead letters kept per object, newest first; older ones are dropped (they are in the logs). */
export const MAX_DEAD_LETTERS = 1000;

export interface DeadLetter {
  /** `event`, or the kind of record. */
  kind: RecordKind | 'event';
  id: string;
  /** The SQLSTATE Postgres answered. */
  code: string | null;
  reason: string;
  at: number;
  /** The refused row as JSON text (escaped), cut to `bodyChars`. */
  body: string;
  bodyTruncated: boolean;
}

export type RecordKind =
  | 'interaction'
  | 'visit'
  | 'segment'
  | 'interval'
  | 'queue'
  | 'agent'
  | 'delivery'
  | 'webhook_attempt'
  | 'webhook_endpoint'
  | 'alert';

/** What one flush transaction carries of record and event bodies, at most (deliveries carry raw bodies). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface OutboxRecord {
  kind: RecordKind;
  id: string;
  version: number;
  /** null means the record no longer exists and must be removed. */
  body: unknown;
  /** Where `take` found it (its rowid). */
  seq?: number;
}

export interface OutboxBatch {
  records: OutboxRecord[];
  /** `seq`: the row `take` found it in; only that row is acked (a revision put meanwhile is another row). */
  events: { id: string; body: unknown; seq?: number }[];
}

/** Where a batch ends in each table (rowids): the next batch starts after it. */
export interface OutboxSeqs {
  records: number;
  events: number;
}

/** The seqs a batch reaches (those of `after` where it has no row of a table). */
export function lastSeqs(batch: OutboxBatch, after: OutboxSeqs): OutboxSeqs {
  return {
    records: batch.records.at(-1)?.seq ?? after.records,
    events: batch.events.at(-1)?.seq ?? after.events,
  };
}

export interface OutboxStatus {
  backlog: number;
  records: number;
  events: number;
  lastFlushAt: number | null;
  /** A short reason (never SQL) and a stable code (`POSTGRES_UNAVAILABLE`, `POSTGRES_TIMEOUT`, …). */
  lastError: string | null;
  lastErrorCode: string | null;
  lastErrorAt: number | null;
  failures: number;
  nextAttemptAt: number | null;
  /** Rows written to Postgres so far, and the time spent writing them (the flush rate). */
  flushedRows: number;
  flushMs: number;
  /** Rows Postgres refused, kept aside (see `OUTBOX_DEAD_LETTERS_DDL`). */
  deadLetters: number;
}

/** The first `chars` UTF-16 units of `text`, one fewer if that would split a surrogate pair. */
function cutOnCodePoint(text: string, chars: number): string {
  const last = text.charCodeAt(chars - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? chars - 1 : chars);
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
    this.putEventTexts([{ id, body: JSON.stringify(body) }], now, replace);
  }

  /** `putEvent` for events already serialized, in one statement. */
  putEventTexts(events: readonly { id: string; body: string }[], now: number, replace = false): void {
    if (events.length === 0) return;
    insertRows(
      this.sql,
      `INSERT ${replace ? 'OR REPLACE' : 'OR IGNORE'} INTO outbox_events (id, body, enqueued_at)`,
      events.map((e) => [e.id, e.body, now]),
    );
  }

  /** `putRecord` for records already serialized (`body` the JSON text, `null` when removed), in one statement. */
  putRecordTexts(records: readonly { kind: RecordKind; id: string; version: number; body: string }[]): void {
    if (records.length === 0) return;
    insertRows(
      this.sql,
      'INSERT INTO outbox_records (kind, id, body, version)',
      records.map((r) => [r.kind, r.id, r.body, r.version]),
      'ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, version = excluded.version',
    );
  }

  /**
   * The oldest pending work, at most `limit` records and `limit` events, and at most `maxBytes` of
   * bodies together (always at least one row): a batch of raw webhook deliveries stays a few MB.
   * Both tables are read in insertion order (rowid): no sort, however long the backlog. `after`:
   * only rows past those seqs (what an earlier batch still being written took; see `lastSeqs`).
   */
  take(limit: number, maxBytes = MAX_BATCH_BYTES, after: OutboxSeqs = { records: 0, events: 0 }): OutboxBatch {
    const records: OutboxRecord[] = [];
    let bytes = 0;
    const full = (length: number) => records.length + events.length > 0 && bytes + length > maxBytes;
    const events: OutboxBatch['events'] = [];
    const recordRows = this.sql.exec<{ seq: number; kind: RecordKind; id: string; body: string; version: number }>(
      'SELECT rowid AS seq, kind, id, body, version FROM outbox_records WHERE rowid > ? ORDER BY rowid LIMIT ?',
      after.records,
      limit,
    );
    for (const r of recordRows) {
      if (full(r.body.length)) break;
      bytes += r.body.length;
      records.push({ kind: r.kind, id: r.id, version: r.version, body: JSON.parse(r.body), seq: r.seq });
    }
    const eventRows = this.sql.exec<{ seq: number; id: string; body: string }>(
      'SELECT rowid AS seq, id, body FROM outbox_events WHERE rowid > ? ORDER BY rowid LIMIT ?',
      after.events,
      limit,
    );
    for (const r of eventRows) {
      if (full(r.body.length)) break;
      bytes += r.body.length;
      events.push({ id: r.id, body: JSON.parse(r.body), seq: r.seq });
    }
    return { records, events };
  }

  /**
   * Removes what was written, in one statement per table: a record only at the version written (one
   * that changed meanwhile stays for the next flush), an event only as taken (one revised meanwhile
   * was put back as a new row, see `putEvent`, and stays too).
   */
  ack(batch: OutboxBatch): void {
    if (batch.records.length > 0) {
      this.sql.exec(
        `DELETE FROM outbox_records WHERE rowid IN (
           SELECT o.rowid FROM json_each(?) j JOIN outbox_records o
             ON o.kind = json_extract(j.value, '$[0]') AND o.id = json_extract(j.value, '$[1]')
            AND o.version = json_extract(j.value, '$[2]'))`,
        JSON.stringify(batch.records.map((r) => [r.kind, r.id, r.version])),
      );
    }
    if (batch.events.length > 0) {
      const taken = batch.events.filter((e) => e.seq !== undefined);
      if (taken.length > 0) {
        this.sql.exec(
          `DELETE FROM outbox_events WHERE rowid IN (
             SELECT o.rowid FROM json_each(?) j JOIN outbox_events o
               ON o.rowid = json_extract(j.value, '$[0]') AND o.id = json_extract(j.value, '$[1]'))`,
          JSON.stringify(taken.map((e) => [e.seq, e.id])),
        );
      }
      for (const e of batch.events) if (e.seq === undefined) this.sql.exec('DELETE FROM outbox_events WHERE id = ?', e.id);
    }
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

  /** Notes a failed flush (a short reason and a stable code, never SQL) and returns when to try again. */
  recordFailure(now: number, failure: { code: string; reason: string; retryAfterMs?: number }): number {
    const failures = this.status().failures + 1;
    const next = now + Math.min(backoffMs(failures), failure.retryAfterMs ?? Number.POSITIVE_INFINITY);
    this.sql.exec(
      'UPDATE outbox_state SET last_error = ?, last_error_code = ?, last_error_at = ?, failures = ?, next_attempt_at = ? WHERE id = 1',
      failure.reason.slice(0, 500),
      failure.code,
      now,
      failures,
      next,
    );
    return next;
  }

  /**
   * Moves rows Postgres refused out of the outbox into the dead letters. A record that changed
   * meanwhile (newer version) stays in the outbox: its new content may be acceptable.
   */
  quarantine(batch: OutboxBatch, failure: { sqlState: string | null; reason: string }, now: number): void {
    const put = (kind: string, id: string, version: number | null, body: unknown) =>
      this.sql.exec(
        'INSERT INTO outbox_dead_letters (kind, id, version, body, code, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        kind,
        id,
        version,
        JSON.stringify(body),
        failure.sqlState,
        failure.reason.slice(0, 500),
        now,
      );
    for (const r of batch.records) put(r.kind, r.id, r.version, r.body);
    for (const e of batch.events) put('event', e.id, null, e.body);
    this.ack(batch);
    this.sql.exec(
      'DELETE FROM outbox_dead_letters WHERE seq <= (SELECT max(seq) FROM outbox_dead_letters) - ?',
      MAX_DEAD_LETTERS,
    );
  }

  /**
   * Puts every dead letter back into the outbox (after a fix, Postgres may take them) and returns how
   * many. A record already pending again keeps its pending (newer) version; of a record set aside
   * twice, the newest version goes back.
   */
  requeueDeadLetters(now: number): number {
    const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox_dead_letters').one();
    if (n === 0) return 0;
    this.sql.exec(
      `INSERT OR IGNORE INTO outbox_records (kind, id, body, version)
       SELECT kind, id, body, version FROM outbox_dead_letters WHERE kind <> 'event' ORDER BY seq DESC`,
    );
    this.sql.exec(
      `INSERT OR IGNORE INTO outbox_events (id, body, enqueued_at)
       SELECT id, body, ? FROM outbox_dead_letters WHERE kind = 'event' ORDER BY seq DESC`,
      now,
    );
    this.sql.exec('DELETE FROM outbox_dead_letters');
    return n;
  }

  /** Forgets every dead letter and returns how many there were. */
  discardDeadLetters(): number {
    const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox_dead_letters').one();
    this.sql.exec('DELETE FROM outbox_dead_letters');
    return n;
  }

  /** The newest dead letters first, bodies cut to `bodyChars`. */
  deadLetters(limit: number, bodyChars = 2000): DeadLetter[] {
    return this.sql
      .exec<{ kind: DeadLetter['kind']; id: string; body: string; code: string | null; reason: string; at: number }>(
        'SELECT kind, id, body, code, reason, at FROM outbox_dead_letters ORDER BY seq DESC LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({
        kind: r.kind,
        id: r.id,
        code: r.code,
        reason: r.reason,
        at: r.at,
        body: r.body.length > bodyChars ? cutOnCodePoint(r.body, bodyChars) : r.body,
        bodyTruncated: r.body.length > bodyChars,
      }));
  }

  /** Whether anything waits to be flushed (cheaper than `status`: it counts nothing). */
  hasWork(): boolean {
    return (
      this.sql
        .exec<{ w: number }>('SELECT EXISTS (SELECT 1 FROM outbox_records) OR EXISTS (SELECT 1 FROM outbox_events) AS w')
        .one().w === 1
    );
  }

  status(): OutboxStatus {
    const counts = this.sql
      .exec<{ r: number; e: number; d: number }>(
        `SELECT (SELECT count(*) FROM outbox_records) AS r, (SELECT count(*) FROM outbox_events) AS e,
           (SELECT count(*) FROM outbox_dead_letters) AS d`,
      )
      .one();
    const s = this.sql
      .exec<{
        last_flush_at: number | null;
        last_error: string | null;
        last_error_code: string | null;
        last_error_at: number | null;
        failures: number;
        next_attempt_at: number | null;
        flushed_rows: number;
        flush_ms: number;
      }>(
        'SELECT last_flush_at, last_error, last_error_code, last_error_at, failures, next_attempt_at, flushed_rows, flush_ms FROM outbox_state WHERE id = 1',
      )
      .one();
    return {
      backlog: counts.r + counts.e,
      records: counts.r,
      events: counts.e,
      lastFlushAt: s.last_flush_at,
      lastError: s.last_error,
      lastErrorCode: s.last_error_code,
      lastErrorAt: s.last_error_at,
      failures: s.failures,
      nextAttemptAt: s.next_attempt_at,
      flushedRows: s.flushed_rows,
      flushMs: s.flush_ms,
      deadLetters: counts.d,
    };
  }
}
