import { createRoute } from '@hono/zod-openapi';
import { HeadcountQuerySchema, HeadcountSchema } from '../../contracts/people';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { headcount } from '../../services/people/headcount';

export const peopleRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/people/headcount',
      operationId: 'getHeadcount',
      tags: ['Agents'],
      summary: 'Headcount and attrition per month',
      description:
        'From the agents’ employment days (`hiredOn`, `leftOn`): employed on each month’s first day and the next’s, hires, leavers, and attrition (员工流失率) = leavers / average headcount, for the centre or per team or site (docs/people.md).',
      request: { query: HeadcountQuerySchema },
      responses: { 200: jsonContent(HeadcountSchema, 'A row per month (and group).') },
    }),
  ),
  async (c) => c.json(await headcount(serviceContext(c), c.req.valid('query')), 200),
);
