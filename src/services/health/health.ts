import { sql } from 'drizzle-orm';
import { type Backlog, type Check, type Health, NEWEST_DEAD_LETTERS } from '../../contracts/health';
import { describeDbFailure } from '../../db/errors';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { callWebhookSender } from '../../durable-objects/webhooks/webhook-sender.client';
import type { ServiceContext } from '../context';
import { listDeadLetters } from '../dead-letters/dead-letters';

const TIMEOUT_MS = 5000;

async function timed(
  probe: () => Promise<unknown>,
  describe: (err: unknown) => { error: string; code?: string },
): Promise<Check> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer: timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latencyMs: Date.now() - started };
  } catch (err) {
    return { status: 'error', latencyMs: Date.now() - started, ...describe(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Postgres failures as a code and a short reason: Drizzle's own message is the SQL. */
const postgresFailure = (err: unknown) => {
  const failure = describeDbFailure(err);
  return { error: failure.reason, code: failure.code };
};
const otherFailure = (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) });

/**
 * Really touches both dependencies: a query on Postgres (as the application role) and a storage
 * write and read in a TenantDO and a QueueDO.
 */
export async function checkDependencies(
  services: Pick<ServiceContext, 'env' | 'databases'>,
): Promise<Pick<Health, 'postgres' | 'durableObjects'>> {
  const { env } = services;
  const [postgres, durableObjects] = await Promise.all([
    timed(() => services.databases().shared().execute(sql`select 1`), postgresFailure),
    timed(
      () =>
        Promise.all([
          env.TENANT_DO.get(env.TENANT_DO.idFromName('health')).ping(),
          env.QUEUE_DO.get(env.QUEUE_DO.idFromName('health')).ping(),
        ]),
      otherFailure,
    ),
  ]);
  return { postgres, durableObjects };
}

/** The tenant's outbox backlog and dead letters: its TenantDO, every QueueDO of its queues and its WebhookSenderDO. */
export async function tenantBacklog(ctx: Pick<ServiceContext, 'env' | 'tenantId'>): Promise<NonNullable<Health['outbox']>> {
  const { env, tenantId } = ctx;
  const [tenant, queueIds, webhooks] = await Promise.all([
    callTenantDO(env, tenantId, (s) => s.backlog()),
    callTenantDO(env, tenantId, (s) => s.queueIds()),
    callWebhookSender(env, tenantId, (s) => s.backlog()),
  ]);
  const queues: Record<string, Backlog> = {};
  await Promise.all(
    queueIds.map(async (id) => {
      const { outbox } = await callQueueDO(env, tenantId, id, (s) => s.live());
      queues[id] = {
        backlog: outbox.backlog,
        lastFlushAt: outbox.lastFlushAt,
        lastError: outbox.lastError,
        lastErrorCode: outbox.lastErrorCode,
        deadLetters: outbox.deadLetters,
      };
    }),
  );
  const total = tenant.outbox + webhooks.outbox + Object.values(queues).reduce((n, q) => n + q.backlog, 0);
  const dead = tenant.deadLetters + webhooks.deadLetters + Object.values(queues).reduce((n, q) => n + (q.deadLetters ?? 0), 0);
  const newest = dead > 0 ? (await listDeadLetters(ctx, NEWEST_DEAD_LETTERS)).items : [];
  return {
    total,
    tenant: { backlog: tenant.outbox, parked: tenant.parked, deadLetters: tenant.deadLetters },
    queues,
    webhooks: {
      backlog: webhooks.outbox,
      deadLetters: webhooks.deadLetters,
      queued: Object.values(webhooks.queued).reduce((n, q) => n + q, 0),
    },
    deadLetters: { total: dead, newest },
  };
}
