import { errorFields, type Logger } from '../lib/log';
import type { Transact, Wakeable } from './lifecycle';
import type { Outbox, OutboxBatch } from './outbox';
import type { EnsureEntity, HistorySession, HistorySink, SinkFailure } from './ports';

/**
 * Records and events per batch (one transaction), within `MAX_BATCH_BYTES`: each transaction costs
 * round trips and a commit whatever its size, so a backlog drains faster in bigger ones; but a batch
 * is read, parsed and serialized synchronously in the object that also ingests (see docs/benchmarks.md).
 */
const FLUSH_BATCH = 2000;
const MAX_BATCHES_PER_FLUSH = 20;
/**
 * Transactions one flush may spend finding the rows Postgres refuses (halving a 4,000-row batch
 * down to one poison row takes about 24); the rest waits for the next alarm, a moment later.
 */
const MAX_ISOLATION_WRITES = 64;

interface FlushRun {
  db: HistorySession;
  tenantId: string;
  ensure: (batch: OutboxBatch) => EnsureEntity[];
  log: Logger;
  rows: number;
  isolationWrites: number;
}

export interface FlusherOptions {
  /** The tenant the outbox belongs to; null while the object knows none (nothing to flush). */
  tenantId: () => string | null;
  /** Entities a flushed batch must make sure exist in Postgres. */
  ensure: (batch: OutboxBatch) => EnsureEntity[];
  transact: Transact;
  /** How soon pending work is flushed when no backoff says otherwise. */
  delayMs: number;
}

/**
 * Drains an object's outbox into the history sink when the alarm fires (see `flush`), and asks for
 * the alarm while anything is pending: at the backoff's next attempt, else within `delayMs`.
 */
export class OutboxFlusher implements Wakeable {
  constructor(
    private readonly outbox: Outbox,
    private readonly sink: HistorySink,
    private readonly options: FlusherOptions,
  ) {}

  nextWake(now: number): number | null {
    const status = this.outbox.status();
    return status.backlog > 0 ? (status.nextAttemptAt ?? now + this.options.delayMs) : null;
  }

  async onAlarm(now: number, log: Logger): Promise<void> {
    const tenantId = this.options.tenantId();
    if (tenantId) await this.flush(tenantId, now, log);
  }

  /**
   * Writes the outbox to Postgres in batches of records and events, each batch one transaction, and
   * removes what was written. A batch Postgres refuses for its data is halved until the refused rows
   * are alone; those become dead letters and the rest is written, so one bad row never holds back
   * the rows behind it. Any other failure (Postgres down, a timeout) is recorded with its backoff,
   * not thrown: the caller's alarm re-arms for the next attempt. Not due yet (backing off) or
   * nothing to do: returns at once.
   */
  async flush(tenantId: string, now: number, log: Logger): Promise<void> {
    const status = this.outbox.status();
    if (status.backlog === 0 || (status.nextAttemptAt !== null && now < status.nextAttemptAt)) return;
    const db = this.sink.open();
    const started = Date.now();
    const run: FlushRun = { db, tenantId, ensure: this.options.ensure, log, rows: 0, isolationWrites: 0 };
    let batch: OutboxBatch | undefined;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_FLUSH; i++) {
        batch = this.outbox.take(FLUSH_BATCH);
        if (batch.records.length === 0 && batch.events.length === 0) break;
        try {
          await this.writeBatch(run, batch);
        } catch (err) {
          if (!this.sink.isDataError(err)) throw err;
          if (!(await this.isolateRefused(run, batch, err))) break;
        }
      }
      this.outbox.recordSuccess(Date.now(), run.rows, Date.now() - started);
    } catch (err) {
      const failure = this.sink.describeFailure(err);
      const next = this.outbox.recordFailure(Date.now(), failure);
      log.warn('outbox flush failed; will retry', {
        ...errorFields(err),
        code: failure.code,
        ...(batch ? batchSize(batch) : {}),
        nextAttemptAt: new Date(next).toISOString(),
      });
    } finally {
      await db.close();
    }
  }

  private async writeBatch(run: FlushRun, batch: OutboxBatch): Promise<void> {
    await run.db.write(run.tenantId, { records: batch.records, events: batch.events, ensure: run.ensure(batch) });
    this.outbox.ack(batch);
    run.rows += batch.records.length + batch.events.length;
  }

  /**
   * Finds the rows of a refused batch that Postgres refuses on their own, by halving: each half is
   * written, a half refused again is halved again, a single refused row is quarantined. Returns
   * false when the flush's isolation budget ran out (what is left stays in the outbox).
   */
  private async isolateRefused(run: FlushRun, batch: OutboxBatch, err: unknown): Promise<boolean> {
    const units = batch.records.length + batch.events.length;
    if (units === 1) {
      const failure: SinkFailure = this.sink.describeFailure(err);
      this.options.transact(() => this.outbox.quarantine(batch, failure, Date.now()));
      const row = batch.records[0] ?? batch.events[0];
      run.log.warn('outbox row refused by Postgres; kept as a dead letter', {
        ...errorFields(err),
        kind: batch.records[0]?.kind ?? 'event',
        id: row?.id,
        ...batchSize(batch),
      });
      return true;
    }
    for (const half of halves(batch)) {
      if (run.isolationWrites >= MAX_ISOLATION_WRITES) return false;
      run.isolationWrites++;
      try {
        await this.writeBatch(run, half);
      } catch (inner) {
        if (!this.sink.isDataError(inner)) throw inner;
        if (!(await this.isolateRefused(run, half, inner))) return false;
      }
    }
    return true;
  }
}

/** A batch split in two, records and events together, each half non-empty. */
function halves(batch: OutboxBatch): [OutboxBatch, OutboxBatch] {
  const units = [...batch.records.map((r) => ({ r })), ...batch.events.map((e) => ({ e }))];
  const mid = Math.ceil(units.length / 2);
  const pick = (part: typeof units): OutboxBatch => ({
    records: part.flatMap((u) => ('r' in u ? [u.r] : [])),
    events: part.flatMap((u) => ('e' in u ? [u.e] : [])),
  });
  return [pick(units.slice(0, mid)), pick(units.slice(mid))];
}

/** What a log line may say about a batch: how many rows and how big, never the rows. */
function batchSize(batch: OutboxBatch): Record<string, number> {
  let bytes = 0;
  for (const r of batch.records) bytes += JSON.stringify(r.body)?.length ?? 0;
  for (const e of batch.events) bytes += JSON.stringify(e.body)?.length ?? 0;
  return { records: batch.records.length, events: batch.events.length, bodyChars: bytes };
}
