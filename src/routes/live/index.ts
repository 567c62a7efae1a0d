import { createRoute } from '@hono/zod-openapi';
import { LiveSnapshotSchema } from '../../contracts/live';
import { notFound } from '../../domain/errors';
import { callQueueDO } from '../../durable-objects/queue/queue.client';
import { callTenantDO } from '../../durable-objects/tenant/tenant.client';
import { createRouter, defineRoute, IdParam, jsonContent } from '../../http/openapi';

export const liveRouter = createRouter();

liveRouter.openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/queues/{queueId}/live',
      operationId: 'getQueueLive',
      tags: ['Queues'],
      summary: "A queue's live state",
      description:
        "Straight from the queue's Durable Object (works while Postgres is down): waiting callers, agents by state, today's counters, outbox backlog.",
      request: { params: IdParam('queueId', 'que_01jx2c8v3m0000000000000000') },
      responses: { 200: jsonContent(LiveSnapshotSchema, 'The live snapshot.') },
    }),
  ),
  async (c) => {
    const principal = c.get('principal');
    if (!principal) throw new Error('live route without API-key guard');
    const queueId = c.req.valid('param').queueId as string;
    const exists = await callTenantDO(c.env, principal.tenantId, (s) => s.hasEntity('queue', queueId));
    if (!exists) throw notFound('queue', queueId);
    const live = await callQueueDO(c.env, principal.tenantId, queueId, (s) => s.live());
    return c.json({ ...live, queueId }, 200);
  },
);
