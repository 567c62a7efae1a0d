import { createRoute } from '@hono/zod-openapi';
import { HealthSchema } from '../../contracts/health';
import { authenticate } from '../../http/auth';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { requestServices } from '../../http/service-context';
import { checkDependencies, tenantBacklog } from '../../services/health/health';

export const healthRouter = createRouter().openapi(
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
    const { postgres, durableObjects } = await checkDependencies(requestServices(c));
    const ok = postgres.status === 'ok' && durableObjects.status === 'ok';
    if (!ok) {
      c.get('log').warn('health degraded', { postgres, durableObjects });
    }
    const authorization = c.req.header('Authorization');
    const outbox = authorization
      ? await tenantBacklog({ env: c.env, tenantId: (await authenticate(c, authorization)).tenantId })
      : undefined;
    const body = { postgres, durableObjects, ...(outbox ? { outbox } : {}) };
    if (ok) return c.json({ status: 'ok' as const, ...body }, 200);
    return c.json({ status: 'degraded' as const, ...body }, 503);
  },
);
