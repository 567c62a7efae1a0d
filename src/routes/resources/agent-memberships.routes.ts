import { createRoute } from '@hono/zod-openapi';
import { AgentMembershipsSchema } from '../../contracts/agents';
import { notFound } from '../../domain/errors';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, IdParam, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { resourceIdsWithin } from '../../services/key-limits/reach';
import { getAgentMemberships } from '../../services/resources/agent-memberships';

export const agentMembershipsRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/agents/{agentId}/memberships',
      operationId: 'getAgentMemberships',
      tags: ['Agents'],
      summary: "An agent's teams and sites over time",
      description:
        'Contiguous periods, oldest first: KPIs by team or site attribute each handled call and state interval to the period of ' +
        'its time. A move (`PATCH /v1/agents/{agentId}` with `teamId`/`siteId` and optionally `effectiveFrom`) starts a new period.',
      request: { params: IdParam('agentId', 'agt_01jx2c8v3m0000000000000000') },
      responses: { 200: jsonContent(AgentMembershipsSchema, 'The periods.') },
    }),
    { keyLimits: 'Only of an agent the key may see (a team key: ever in its team; an agent key: itself), else a 404.' },
  ),
  async (c) => {
    const ctx = serviceContext(c);
    const agentId = c.req.valid('param').agentId as string;
    const limit = keyLimit(c);
    if (limit && !(await resourceIdsWithin(ctx, limit, 'agent')).includes(agentId)) throw notFound('agent', agentId);
    return c.json(await getAgentMemberships(ctx, agentId), 200);
  },
);
