import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { DeadLetterSchema } from '../../contracts/dead-letters';
import { describeDbFailure } from '../../db/errors';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { Env } from '../../env';
import { authenticate } from '../../http/auth';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { listDeadLetters } from '../../services/dead-letters/dead-letters';

/** How many of the newest dead letters /health shows (GET /v1/dead-letters lists them all). */
const NEWEST_DEAD_LETTERS = 5;

/** The tenant's outbox backlog and dead letters: its TenantDO and every QueueDO of its queues. */
async function tenantBacklog(env: Env, tenantId: string): Promise<NonNullable<Health['outbox']>> {
  const [tenant, queueIds] = await Promise.all([
    callTenantDO(env, tenantId, (s) => s.backlog()),
    callTenantDO(env, tenantId, (s) => s.queueIds()),
  ]);
  const queues: Record<string, z.infer<typeof BacklogSchema>> = {};
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
  const total = tenant.outbox + Object.values(queues).reduce((n, q) => n + q.backlog, 0);
  const dead = tenant.deadLetters + Object.values(queues).reduce((n, q) => n + (q.deadLetters ?? 0), 0);
  const newest = dead > 0 ? (await listDeadLetters({ env, tenantId }, NEWEST_DEAD_LETTERS)).items : [];
  return {
    total,
    tenant: { backlog: tenant.outbox, parked: tenant.parked, deadLetters: tenant.deadLetters },
    queues,
    deadLetters: { total: dead, newest },
  };
}

export const healthRouter = createRouter();

const CheckSchema = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number().int(),
  error: z.string().optional().describe('A short reason (never SQL).'),
  code: z.string().optional().describe('For Postgres: POSTGRES_UNAVAILABLE, POSTGRES_TIMEOUT, …'),
});
const BacklogSchema = z.object({
  backlog: z.number().int().describe('Records and events waiting in the outbox for Postgres.'),
  parked: z.number().int().optional().describe('Queue-less events whose queue is not known yet (tenant object).'),
  lastFlushAt: z.string().nullable().optional(),
  lastError: z.string().nullable().optional().describe('Why the last failed flush failed, in short (never SQL).'),
  lastErrorCode: z.string().nullable().optional().describe('Its stable code: POSTGRES_UNAVAILABLE, POSTGRES_TIMEOUT, …'),
  deadLetters: z.number().int().optional().describe('Rows Postgres refused that this object set aside.'),
});
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    postgres: CheckSchema,
    durableObjects: CheckSchema,
    outbox: z
      .object({
        total: z.number().int(),
        tenant: BacklogSchema,
        queues: z.record(z.string(), BacklogSchema),
        deadLetters: z
          .object({ total: z.number().int(), newest: z.array(DeadLetterSchema) })
          .describe(
            `Rows Postgres refused, set aside so the rest could be written: how many, and the newest ${NEWEST_DEAD_LETTERS} (GET /v1/dead-letters lists them).`,
          ),
      })
      .optional()
      .describe("With an API key: the caller's tenant's outbox backlog and dead letters, per Durable Object."),
  })
  .openapi('Health');
type Health = z.infer<typeof HealthSchema>;
type Check = z.infer<typeof CheckSchema>;

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

healthRouter.openapi(
  defineRoute(
    'public',
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['Operations'],
      summary: 'Health of the Worker and its dependencies',
      operationId: 'getHealth',
      description:
        'Really touches both: a query on Postgres (as the application role) and a storage write and read in a TenantDO and a QueueDO. With an API key (any scope) it also reports your tenant’s outbox backlog.',
      responses: {
        200: jsonContent(HealthSchema, 'Everything answers.'),
        503: jsonContent(HealthSchema, 'A dependency failed; see which.'),
      },
    }),
  ),
  async (c) => {
    const [postgres, durableObjects] = await Promise.all([
      timed(() => c.get('database')().execute(sql`select 1`), postgresFailure),
      timed(
        () =>
          Promise.all([
            c.env.TENANT_DO.get(c.env.TENANT_DO.idFromName('health')).ping(),
            c.env.QUEUE_DO.get(c.env.QUEUE_DO.idFromName('health')).ping(),
          ]),
        otherFailure,
      ),
    ]);
    const ok = postgres.status === 'ok' && durableObjects.status === 'ok';
    if (!ok) {
      c.get('log').warn('health degraded', { postgres, durableObjects });
    }
    const authorization = c.req.header('Authorization');
    const outbox = authorization ? await tenantBacklog(c.env, (await authenticate(c, authorization)).tenantId) : undefined;
    const body = { postgres, durableObjects, ...(outbox ? { outbox } : {}) };
    if (ok) return c.json({ status: 'ok' as const, ...body }, 200);
    return c.json({ status: 'degraded' as const, ...body }, 503);
  },
);
