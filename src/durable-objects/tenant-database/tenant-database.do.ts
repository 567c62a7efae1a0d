import { DurableObject } from 'cloudflare:workers';
import { isFinished, isSwitched, MAX_ATTEMPTS, type MoveState, retryDelayMs } from '../../domain/tenant-move';
import type { Env } from '../../env';
import { createLogger } from '../../lib/log';
import type { DatabaseMover } from '../ports';
import type { TenantDatabasePort } from './tenant-database.client';

const STATE_KEY = 'move';
/** Work one alarm does before it hands over to the next (a Durable Object's alarm must end). */
const RUN_MS = 15_000;

/**
 * One per tenant, named by its id: runs the tenant's database operations — moving its data to another database,
 * or applying migrations to its own (docs/dedicated-databases.md). A thin shell over `DatabaseMover`: the state
 * lives in storage, each alarm runs the current step until it completes or its time is up, a failed step is tried
 * again later, and a move given up before its switch leaves the tenant where it was.
 */
export class TenantDatabaseDO extends DurableObject<Env> implements TenantDatabasePort {
  private readonly log;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly mover: DatabaseMover,
  ) {
    super(ctx, env);
    this.log = createLogger({ component: 'tenant-database' }, env.LOG_LEVEL);
  }

  /** Starts an operation unless one is under way (then answers that one and `started: false`). */
  async start(state: MoveState): Promise<{ started: boolean; state: MoveState }> {
    const current = await this.ctx.storage.get<MoveState>(STATE_KEY);
    if (current && !isFinished(current.step)) return { started: false, state: current };
    await this.ctx.storage.put(STATE_KEY, state);
    await this.ctx.storage.setAlarm(Date.now());
    return { started: true, state };
  }

  async status(): Promise<MoveState | null> {
    return (await this.ctx.storage.get<MoveState>(STATE_KEY)) ?? null;
  }

  override async alarm(): Promise<void> {
    const state = await this.ctx.storage.get<MoveState>(STATE_KEY);
    if (!state || isFinished(state.step)) return;
    let next: MoveState;
    try {
      next = await this.mover.advance(state, Date.now() + RUN_MS);
    } catch (err) {
      next = await this.failed(state, err);
    }
    if (isFinished(next.step)) next.finishedAt = new Date().toISOString();
    await this.ctx.storage.put(STATE_KEY, next);
    if (isFinished(next.step)) return;
    await this.ctx.storage.setAlarm(Date.now() + (next.attempts > 0 ? retryDelayMs(next.attempts) : 0));
  }

  /** A failed step: tried again later, or the move given up (the source at home again) when it cannot succeed. */
  private async failed(state: MoveState, err: unknown): Promise<MoveState> {
    const attempts = state.attempts + 1;
    const message = err instanceof Error ? err.message : String(err);
    const fatal = this.mover.isFatal(err);
    this.log.warn('tenant database operation step failed', {
      tenantId: state.tenantId,
      step: state.step,
      attempts,
      fatal,
      message,
    });
    const after: MoveState = { ...state, attempts, error: { code: fatal ? 'MOVE_REFUSED' : 'STEP_FAILED', message } };
    if (isSwitched(state.step) || (!fatal && attempts < MAX_ATTEMPTS)) return after;
    try {
      await this.mover.abandon(state);
      return { ...after, step: 'failed' };
    } catch (abandonErr) {
      // The source is still fenced: keep trying to give it back.
      this.log.error('giving a tenant back to its database failed; will retry', {
        tenantId: state.tenantId,
        error: String(abandonErr),
      });
      return after;
    }
  }
}
