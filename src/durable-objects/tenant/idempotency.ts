import type { IdempotencyBegin, StoredResponse } from './tenant.types';

/** Idempotency records answer replays for 24 h. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A pending record older than this belongs to a request that died; a retry may take it over. */
export const IDEMPOTENCY_PENDING_TIMEOUT_MS = 60 * 1000;

/** Idempotency-Key records (`idempotency`): pending while the first request runs, then its stored answer. */
export class IdempotencyStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Claims a key for a request with this fingerprint (method, path, body hash), or answers with what the first request got. */
  begin(key: string, fingerprint: string, now: number): IdempotencyBegin {
    this.sql.exec('DELETE FROM idempotency WHERE created_at < ?', now - IDEMPOTENCY_TTL_MS);
    const row = this.sql
      .exec<{ fingerprint: string; state: string; response: string | null; created_at: number }>(
        'SELECT fingerprint, state, response, created_at FROM idempotency WHERE key = ?',
        key,
      )
      .toArray()[0];
    if (row) {
      if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (row.state === 'done' && row.response) return { state: 'replay', response: JSON.parse(row.response) };
      if (now - row.created_at < IDEMPOTENCY_PENDING_TIMEOUT_MS) return { state: 'in_progress' };
    }
    this.sql.exec(
      `INSERT INTO idempotency (key, fingerprint, state, response, created_at) VALUES (?, ?, 'pending', NULL, ?)
       ON CONFLICT (key) DO UPDATE SET state = 'pending', response = NULL, created_at = excluded.created_at`,
      key,
      fingerprint,
      now,
    );
    return { state: 'started' };
  }

  complete(key: string, response: StoredResponse): void {
    this.sql.exec("UPDATE idempotency SET state = 'done', response = ? WHERE key = ?", JSON.stringify(response), key);
  }

  /** Lets a retry run again (the first attempt failed in a way worth retrying). */
  release(key: string): void {
    this.sql.exec("DELETE FROM idempotency WHERE key = ? AND state = 'pending'", key);
  }
}
