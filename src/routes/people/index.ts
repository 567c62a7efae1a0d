import { createRoute } from '@hono/zod-openapi';
import { HeadcountQuerySchema, HeadcountSchema } from '../../contracts/people';
import { beyondLimit } from '../../domain/key-limits';
import { keyLimit, teamKeyOnly } from '../../http/key-limits';
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
    {
      keyLimits:
        "A team key: its own team's rows (`groupBy=team` implied; `groupBy=site` is a 403); an agent key is refused (403).",
    },
  ),
  async (c) => {
    const q = c.req.valid('query');
    const team = teamKeyOnly(keyLimit(c), 'headcount');
    if (!team) return c.json(await headcount(serviceContext(c), q), 200);
    if (q.groupBy === 'site') throw beyondLimit(team, 'headcount by site counts other teams');
    const all = await headcount(serviceContext(c), { ...q, groupBy: 'team' });
    return c.json({ ...all, rows: all.rows.filter((r) => r.group.teamId === team.teamId) }, 200);
  },
);
