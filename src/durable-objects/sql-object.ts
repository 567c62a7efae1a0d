import { DurableObject } from 'cloudflare:workers';
import { openDatabase } from '../db/client';
import { type EnsureEntity, historyBatch, writeHistory } from '../db/history-writer';
import type { Env } from '../env';
import { errorFields, type Logger } from '../lib/log';
import { Outbox, type OutboxBatch } from './outbox';
import { hasTable, migrateSqlite } from './sqlite-migrations';

const FLUSH_BATCH = 1000;
const MAX_BATCHES_PER_FLUSH = 20;

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
   * removes what was written. A failure is recorded with its backoff, not thrown: the caller's alarm
   * re-arms for the next attempt. Not due yet (backing off) or nothing to do: returns at once.
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
    let rows = 0;
    try {
      for (let i = 0; i < MAX_BATCHES_PER_FLUSH; i++) {
        const batch = this.outbox.take(FLUSH_BATCH);
        if (batch.records.length === 0 && batch.events.length === 0) break;
        await writeHistory(db, tenantId, historyBatch(batch.records, batch.events, ensure(batch)));
        this.outbox.ack(batch);
        rows += batch.records.length + batch.events.length;
      }
      this.outbox.recordSuccess(Date.now(), rows, Date.now() - started);
    } catch (err) {
      const next = this.outbox.recordFailure(Date.now(), err instanceof Error ? err.message : String(err));
      log.warn('outbox flush failed; will retry', { ...errorFields(err), nextAttemptAt: new Date(next).toISOString() });
    } finally {
      await close();
    }
  }

  /** Health probe: a real storage write and read. */
  async ping(): Promise<number> {
    const now = Date.now();
    await this.ctx.storage.put('ping', now);
    return (await this.ctx.storage.get<number>('ping')) ?? 0;
  }
}
