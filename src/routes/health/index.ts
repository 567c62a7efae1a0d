import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import type { Env } from '../../env';
import { authenticate } from '../../http/auth';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { errorFields } from '../../lib/log';

/** The tenant's outbox backlog: its TenantDO and every QueueDO of its queues. */
async function tenantBacklog(env: Env, tenantId: string): Promise<NonNullable<Health['outbox']>> {
  const [tenant, queueIds] = await Promise.all([
    callTenantDO(env, tenantId, (s) => s.backlog()),
    callTenantDO(env, tenantId, (s) => s.queueIds()),
  ]);
  const queues: Record<string, { backlog: number; lastFlushAt: string | null; lastError: string | null }> = {};
  await Promise.all(
    queueIds.map(async (id) => {
      const live = await callQueueDO(env, tenantId, id, (s) => s.live());
      queues[id] = { backlog: live.outbox.backlog, lastFlushAt: live.outbox.lastFlushAt, lastError: live.outbox.lastError };
    }),
  );
  const total = tenant.outbox + Object.values(queues).reduce((n, q) => n + q.backlog, 0);
  return { total, tenant: { backlog: tenant.outbox, parked: tenant.parked }, queues };
}

export const healthRouter = createRouter();

const CheckSchema = z.object({
  status: z.enum(['ok', 'error']),
  latencyMs: z.number().int(),
  error: z.string().optional(),
});
const BacklogSchema = z.object({
  backlog: z.number().int().describe('Records and events waiting in the outbox for Postgres.'),
  parked: z.number().int().optional().describe('Queue-less events whose queue is not known yet (tenant object).'),
  lastFlushAt: z.string().nullable().optional(),
  lastError: z.string().nullable().optional(),
});
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    postgres: CheckSchema,
    durableObjects: CheckSchema,
    outbox: z
      .object({ total: z.number().int(), tenant: BacklogSchema, queues: z.record(z.string(), BacklogSchema) })
      .optional()
      .describe("With an API key: the caller's tenant's outbox backlog, per Durable Object."),
  })
  .openapi('Health');
type Health = z.infer<typeof HealthSchema>;
type Check = z.infer<typeof CheckSchema>;

const TIMEOUT_MS = 5000;

async function timed(probe: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latencyMs: Date.now() - started };
  } catch (err) {
    return { status: 'error', latencyMs: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

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
      timed(() => c.get('database')().execute(sql`select 1`)),
      timed(() =>
        Promise.all([
          c.env.TENANT_DO.get(c.env.TENANT_DO.idFromName('health')).ping(),
          c.env.QUEUE_DO.get(c.env.QUEUE_DO.idFromName('health')).ping(),
        ]),
      ),
    ]);
    const ok = postgres.status === 'ok' && durableObjects.status === 'ok';
    if (!ok) {
      c.get('log').warn('health degraded', { postgres, durableObjects, ...errorFields(postgres.error ?? durableObjects.error) });
    }
    const authorization = c.req.header('Authorization');
    const outbox = authorization ? await tenantBacklog(c.env, (await authenticate(c, authorization)).tenantId) : undefined;
    const body = { postgres, durableObjects, ...(outbox ? { outbox } : {}) };
    if (ok) return c.json({ status: 'ok' as const, ...body }, 200);
    return c.json({ status: 'degraded' as const, ...body }, 503);
  },
);
