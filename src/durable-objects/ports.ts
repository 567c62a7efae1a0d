import type { MoveState } from '../domain/tenant-move';

/**
 * What the Durable Objects need from outside themselves, as interfaces they own: the Postgres side
 * implements them (`src/db/history-sink.ts`) and `src/index.ts` wires them in. A Durable Object never
 * imports `src/db` (biome.json enforces it), so its storage logic stays testable and the event path
 * keeps "ingest never reads Postgres" by construction.
 */

/** A queue or agent that history refers to: created if Postgres does not have it (yet, or any more). */
export interface EnsureEntity {
  kind: 'queue' | 'agent';
  id: string;
  /** Auto-created from an unknown provider key: live, named after the key. Otherwise archived. */
  name: string | null;
  externalKey: { provider: string; key: string } | null;
}

/** What may be shown about a failed write: a stable code, the SQLSTATE and a short reason — never SQL or rows. */
export interface SinkFailure {
  code:
    | 'POSTGRES_UNAVAILABLE'
    | 'POSTGRES_TIMEOUT'
    | 'POSTGRES_REFUSED_DATA'
    | 'POSTGRES_CONFLICT'
    | 'POSTGRES_ERROR'
    | 'TENANT_MOVING';
  sqlState: string | null;
  reason: string;
  /** Try again this soon rather than after the usual backoff (a tenant being moved between databases). */
  retryAfterMs?: number;
}

/** One outbox batch as the sink takes it (the outbox's own rows). */
export interface SinkBatch {
  records: { kind: string; id: string; version: number; body: unknown }[];
  events: { body: unknown }[];
  ensure: EnsureEntity[];
}

/**
 * One flush's connection(s): batches written one transaction each, then closed. A flush writes up to
 * two batches at once (`OutboxFlusher`): `write` must take concurrent calls.
 */
export interface HistorySession {
  write(tenantId: string, batch: SinkBatch): Promise<void>;
  close(): Promise<void>;
}

/** Where an outbox drains to (Postgres in production). */
export interface HistorySink {
  open(): HistorySession;
  /** True when the sink refused the rows themselves: writing them again fails again, other rows pass. */
  isDataError(err: unknown): boolean;
  describeFailure(err: unknown): SinkFailure;
}

/** How a tenant's data moves between databases (Postgres in production: `src/db/tenant-move.ts`). */
export interface DatabaseMover {
  /** Runs the move's current step until it completes or `deadline` (epoch ms) passes; throws when it failed. */
  advance(state: MoveState, deadline: number): Promise<MoveState>;
  /** Puts the source back as the tenant's home (a move given up before its switch). */
  abandon(state: MoveState): Promise<void>;
  /** True when retrying cannot help (the copy did not verify, the role bypasses RLS): the move is given up at once. */
  isFatal(err: unknown): boolean;
}
