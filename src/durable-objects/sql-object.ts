import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { errorFields, type Logger } from '../lib/log';
import { earliestWake, type Transact, type Wakeable } from './lifecycle';
import { type DeadLetter, Outbox } from './outbox';
import type { HistorySink } from './ports';
import { hasTable, migrateSqlite } from './sqlite-migrations';

/** Dead letters put back are flushed this soon. */
const RETRY_FLUSH_DELAY_MS = 200;

/**
 * A Durable Object with SQLite storage, migrations applied on first write (an object asked about an
 * unknown tenant or queue creates no storage), an outbox drained to the history sink, and one alarm
 * armed at the earliest time any of its parts asks for. Subclasses are thin RPC shells: their state
 * lives in components that take the `SqlStorage` and never open a transaction; the shell does
 * (`transact`), so one RPC is one storage transaction.
 */
export abstract class SqlDurableObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly outbox: Outbox;
  protected ready: boolean;
  protected readonly transact: Transact;
  /** Whether `alarm` is running (an alarm time in the past is then the one being handled). */
  private alarmRunning = false;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly migrations: readonly string[],
    protected readonly sink: HistorySink,
  ) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.outbox = new Outbox(this.sql);
    this.transact = (fn) => ctx.storage.transactionSync(fn);
    this.ready = hasTable(this.sql, '_migrations');
    if (this.ready) migrateSqlite(this.sql, migrations);
  }

  protected ensureSchema(): void {
    if (this.ready) return;
    migrateSqlite(this.sql, this.migrations);
    this.ready = true;
  }

  /** The parts the alarm runs, in order, and the logger it uses; null while the object has nothing to do. */
  protected abstract alarmParts(): { parts: readonly Wakeable[]; log: Logger } | null;

  /**
   * Runs every part's alarm work (one failing does not stop the others), then re-arms whatever
   * happened — once the runtime's own retries run out an alarm would be dropped — at the earliest
   * time any part asks for.
   */
  override async alarm(): Promise<void> {
    const plan = this.alarmParts();
    if (!plan) return;
    const now = Date.now();
    this.alarmRunning = true;
    try {
      for (const part of plan.parts) {
        try {
          await part.onAlarm(now, plan.log);
        } catch (err) {
          plan.log.error('alarm step failed', errorFields(err));
        }
      }
    } finally {
      this.alarmRunning = false;
      const next = earliestWake(plan.parts, Date.now());
      if (next !== null) await this.ctx.storage.setAlarm(next);
    }
  }

  /**
   * Makes sure an alarm comes within `delayMs`. An alarm in the past is either being handled right
   * now, and may already have looked at the outbox: it does not count; or due and about to start:
   * it stays (moving it would put off the flush again with every write that lands in between, and a
   * steady stream of writes would keep history from reaching Postgres for many seconds).
   */
  protected async wakeWithin(now: number, delayMs: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    const target = now + delayMs;
    const due = current !== null && current <= Date.now();
    if (current === null || (due && this.alarmRunning) || (!due && current > target)) await this.ctx.storage.setAlarm(target);
  }

  /** Arms the alarm at the earliest time a part now asks for (after a change of plans, e.g. new settings). */
  protected async replan(): Promise<void> {
    const plan = this.alarmParts();
    const next = plan ? earliestWake(plan.parts, Date.now()) : null;
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  /** The newest dead letters of this object and how many there are (GET /v1/dead-letters, /health). */
  deadLetters(limit = 100): { total: number; items: DeadLetter[] } {
    if (!this.ready) return { total: 0, items: [] };
    return { total: this.outbox.status().deadLetters, items: this.outbox.deadLetters(Math.max(0, Math.min(limit, 1000))) };
  }

  /** Puts every dead letter back into the outbox and flushes soon (POST /v1/dead-letters/retry); returns how many. */
  async retryDeadLetters(): Promise<number> {
    if (!this.ready) return 0;
    const n = this.transact(() => this.outbox.requeueDeadLetters(Date.now()));
    if (n > 0) await this.wakeWithin(Date.now(), RETRY_FLUSH_DELAY_MS);
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
