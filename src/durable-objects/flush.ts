import { errorFields, type Logger } from '../lib/log';
import type { Transact, Wakeable } from './lifecycle';
import { lastSeqs, type Outbox, type OutboxBatch, type OutboxSeqs } from './outbox';
import type { EnsureEntity, HistorySession, HistorySink, SinkFailure } from './ports';

/**
 * Records and events per batch (one transaction), within `MAX_BATCH_BYTES`: each transaction costs
 * round trips and a commit whatever its size, so a backlog drains faster in bigger ones; but a batch
 * is read, parsed and serialized synchronously in the object that also ingests (see docs/benchmarks.md).
 */
export const FLUSH_BATCH = 2000;
const MAX_BATCHES_PER_FLUSH = 20;
/**
 * Batches written at once, each its own transaction on its own connection: while Postgres writes
 * one, the object reads and serializes the next (a batch's rows are distinct records and events, and
 * every statement is an idempotent upsert, so their order does not matter).
 */
const PIPELINE_DEPTH = 2;
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
    // Batches being written, oldest first: each settles (acked, or its refused rows isolated) in order.
    const writing: { batch: OutboxBatch; done: Promise<unknown> }[] = [];
    let after: OutboxSeqs = { records: 0, events: 0 };
    let batch: OutboxBatch | undefined;
    let failure: unknown = null;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_FLUSH; i++) {
        batch = this.outbox.take(FLUSH_BATCH, undefined, after);
        if (batch.records.length === 0 && batch.events.length === 0) break;
        after = lastSeqs(batch, after);
        const taken = batch;
        writing.push({
          batch: taken,
          done: this.write(run, taken).then(
            () => null,
            (err: unknown) => err ?? 'failed',
          ),
        });
        if (writing.length >= PIPELINE_DEPTH && !(await this.settle(run, writing))) break;
      }
      while (writing.length > 0) if (!(await this.settle(run, writing))) break;
    } catch (err) {
      failure = err;
    }
    // A batch still being written when another failed: written or not, it is settled before the connection closes.
    for (const w of writing.splice(0)) {
      if ((await w.done) === null) this.ack(run, w.batch);
    }
    try {
      if (failure) throw failure;
      this.outbox.recordSuccess(Date.now(), run.rows, Date.now() - started);
    } catch (err) {
      const described = this.sink.describeFailure(err);
      const next = this.outbox.recordFailure(Date.now(), described);
      log.warn('outbox flush failed; will retry', {
        ...errorFields(err),
        code: described.code,
        ...(batch ? batchSize(batch) : {}),
        nextAttemptAt: new Date(next).toISOString(),
      });
    } finally {
      await db.close();
    }
  }

  /**
   * Waits for the oldest batch being written: acks it, or finds the rows Postgres refused in it.
   * Returns false when the flush should take no more (the isolation budget ran out); throws on any
   * failure other than refused rows.
   */
  private async settle(run: FlushRun, writing: { batch: OutboxBatch; done: Promise<unknown> }[]): Promise<boolean> {
    const oldest = writing.shift();
    if (!oldest) return true;
    const err = await oldest.done;
    if (err === null) {
      this.ack(run, oldest.batch);
      return true;
    }
    if (!this.sink.isDataError(err)) throw err;
    return this.isolateRefused(run, oldest.batch, err);
  }

  private write(run: FlushRun, batch: OutboxBatch): Promise<void> {
    return run.db.write(run.tenantId, { records: batch.records, events: batch.events, ensure: run.ensure(batch) });
  }

  private ack(run: FlushRun, batch: OutboxBatch): void {
    this.outbox.ack(batch);
    run.rows += batch.records.length + batch.events.length;
  }

  private async writeBatch(run: FlushRun, batch: OutboxBatch): Promise<void> {
    await this.write(run, batch);
    this.ack(run, batch);
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
