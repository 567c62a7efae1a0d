import { createRoute } from '@hono/zod-openapi';
import { StaffingPlanQuerySchema, StaffingPlanSchema } from '../../contracts/staffing-plan';
import { csvResponse, jsonOrCsvContent, wantsCsv } from '../../http/csv';
import { keyLimit, teamKeyOnly } from '../../http/key-limits';
import { createRouter, defineRoute } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { staffingPlan, staffingPlanCsvFilename, staffingPlanCsvLines } from '../../services/staffing/plan';

export const staffingPlanRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/staffing/plan',
      operationId: 'getStaffingPlan',
      tags: ['Staffing'],
      summary: 'A queue’s staffing plan for a day: forecast, agents required, agents scheduled, the gap',
      description:
        'Per 15-minute interval of the local day: the forecast offered volume and AHT (GET /v1/forecasts), the agents Erlang C (or Erlang A) needs for the queue’s service-level policy and the number to schedule after `shrinkage`, the agents of the queue its schedules put on it (GET /v1/schedules: on-queue time, activities left out), and the gap. ' +
        'Single skill: an agent who serves several queues counts in full in each (multi-skill staffing is out of scope). See docs/staffing.md.',
      request: { query: StaffingPlanQuerySchema },
      responses: {
        200: jsonOrCsvContent(
          StaffingPlanSchema,
          'The plan.',
          'one line per interval: `start`, `end`, `offered`, `offeredLower`, `offeredUpper`, `ahtSeconds`, `holiday`, `requiredAgents`, `requiredScheduled`, `serviceLevel`, `occupancy`, `scheduledAgents`, `gap`, `scheduledServiceLevel`.',
        ),
      },
    }),
    {
      keyLimits:
        'A team key reads any queue’s plan (counts of agents, no names: a team lead staffs from it). An agent key is refused (403).',
    },
  ),
  async (c) => {
    teamKeyOnly(keyLimit(c), 'a staffing plan');
    const query = c.req.valid('query');
    const plan = await staffingPlan(serviceContext(c), query);
    if (!wantsCsv(c, query.format)) return c.json(plan, 200);
    return csvResponse(c, staffingPlanCsvFilename(plan), staffingPlanCsvLines(plan));
  },
);
