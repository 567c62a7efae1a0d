import { DurableObject } from 'cloudflare:workers';
import { type Database, openDatabase } from '../db/client';
import { type DbFailure, describeDbFailure, isDataError } from '../db/errors';
import { type EnsureEntity, historyBatch, writeHistory } from '../db/history-writer';
import type { Env } from '../env';
import { errorFields, type Logger } from '../lib/log';
import { type DeadLetter, Outbox, type OutboxBatch } from './outbox';
import { hasTable, migrateSqlite } from './sqlite-migrations';

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
/** Dead letters put back are flushed this soon. */
const RETRY_FLUSH_DELAY_MS = 200;

interface FlushRun {
  db: Database;
  tenantId: string;
  ensure: (batch: OutboxBatch) => EnsureEntity[];
  log: Logger;
  rows: number;
  isolationWrites: number;
}

/**
 * A Durable Object with SQLite storage, migrations applied on first write (an object asked about an
 * unknown tenant or queue creates no storage), and an outbox it drains to Postgres.
 */
export abstract class SqlDurableObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly outbox: Outbox;
  protected ready: boolean;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly migrations: readonly string[],
  ) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.outbox = new Outbox(this.sql);
    this.ready = hasTable(this.sql, '_migrations');
    if (this.ready) migrateSqlite(this.sql, migrations);
  }

  protected ensureSchema(): void {
    if (this.ready) return;
    migrateSqlite(this.sql, this.migrations);
    this.ready = true;
  }

  /**
   * Writes the outbox to Postgres in batches of records and events, each batch one transaction, and
   * removes what was written. A batch Postgres refuses for its data is halved until the refused rows
   * are alone; those become dead letters and the rest is written, so one bad row never holds back
   * the rows behind it. Any other failure (Postgres down, a timeout) is recorded with its backoff,
   * not thrown: the caller's alarm re-arms for the next attempt. Not due yet (backing off) or
   * nothing to do: returns at once.
   */
  protected async flushOutbox(
    tenantId: string,
    now: number,
    log: Logger,
    ensure: (batch: OutboxBatch) => EnsureEntity[],
  ): Promise<void> {
    const status = this.outbox.status();
    if (status.backlog === 0 || (status.nextAttemptAt !== null && now < status.nextAttemptAt)) return;
    const { db, close } = openDatabase(this.env);
    const started = Date.now();
    const run: FlushRun = { db, tenantId, ensure, log, rows: 0, isolationWrites: 0 };
    let batch: OutboxBatch | undefined;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_FLUSH; i++) {
        batch = this.outbox.take(FLUSH_BATCH);
        if (batch.records.length === 0 && batch.events.length === 0) break;
        try {
          await this.writeBatch(run, batch);
        } catch (err) {
          if (!isDataError(err)) throw err;
          if (!(await this.isolateRefused(run, batch, err))) break;
        }
      }
      this.outbox.recordSuccess(Date.now(), run.rows, Date.now() - started);
    } catch (err) {
      const failure = describeDbFailure(err);
      const next = this.outbox.recordFailure(Date.now(), failure);
      log.warn('outbox flush failed; will retry', {
        ...errorFields(err),
        code: failure.code,
        ...(batch ? batchSize(batch) : {}),
        nextAttemptAt: new Date(next).toISOString(),
      });
    } finally {
      await close();
    }
  }

  private async writeBatch(run: FlushRun, batch: OutboxBatch): Promise<void> {
    await writeHistory(run.db, run.tenantId, historyBatch(batch.records, batch.events, run.ensure(batch)));
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
      const failure: DbFailure = describeDbFailure(err);
      this.ctx.storage.transactionSync(() => this.outbox.quarantine(batch, failure, Date.now()));
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
        if (!isDataError(inner)) throw inner;
        if (!(await this.isolateRefused(run, half, inner))) return false;
      }
    }
    return true;
  }

  /** The newest dead letters of this object and how many there are (GET /v1/dead-letters, /health). */
  deadLetters(limit = 100): { total: number; items: DeadLetter[] } {
    if (!this.ready) return { total: 0, items: [] };
    return { total: this.outbox.status().deadLetters, items: this.outbox.deadLetters(Math.max(0, Math.min(limit, 1000))) };
  }

  /** Puts every dead letter back into the outbox and flushes soon (POST /v1/dead-letters/retry); returns how many. */
  async retryDeadLetters(): Promise<number> {
    if (!this.ready) return 0;
    const n = this.ctx.storage.transactionSync(() => this.outbox.requeueDeadLetters(Date.now()));
    if (n > 0) {
      // An alarm in the past is one being handled right now, which may already have looked at the outbox.
      const current = await this.ctx.storage.getAlarm();
      const target = Date.now() + RETRY_FLUSH_DELAY_MS;
      if (current === null || current <= Date.now() || current > target) await this.ctx.storage.setAlarm(target);
    }
    return n;
  }

  /** Forgets every dead letter (DELETE /v1/dead-letters); returns how many. */
  discardDeadLetters(): number {
    return this.ready ? this.outbox.discardDeadLetters() : 0;
  }

  /** Health probe: a real storage write and read. */
  async ping(): Promise<number> {
    const now = Date.now();
    await this.ctx.storage.put('ping', now);
    return (await this.ctx.storage.get<number>('ping')) ?? 0;
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
