import { createRoute } from '@hono/zod-openapi';
import { LiveSnapshotSchema } from '../../contracts/live';
import { createRouter, defineRoute, IdParam, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { queueLive } from '../../services/live/live';

export const liveRouter = createRouter().openapi(
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
  async (c) => c.json(await queueLive(serviceContext(c), c.req.valid('param').queueId as string), 200),
);
