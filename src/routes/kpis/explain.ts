import { createRoute } from '@hono/zod-openapi';
import { KpiExplainQuerySchema, KpiExplainResponseSchema } from '../../contracts/kpis-explain';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { limitExplainQuery } from '../../services/key-limits/kpis';
import { explainKpi } from '../../services/kpis/explain';

export const kpiExplainRouter = createRouter().openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/kpis/explain',
      operationId: 'explainKpi',
      tags: ['KPIs'],
      summary: 'The records behind one KPI cell',
      description:
        'One metric of one cell of `GET /v1/kpis` — its period (`start`, `end` as the row gives them) and its group as filters — ' +
        'with the value, numerator and denominator that endpoint gives, and the records behind them, each with the fields that ' +
        'decided it and a reason in words: queue visits (wait, outcome, threshold met or not), agent segments (talk, hold, ACW), ' +
        'agent state intervals (the overlap counted in the cell), or calls (disposition, survey score, IVR). Judged under the ' +
        "queue's policy when `queueId` is given (else the tenant's) with the request's overrides, as `GET /v1/kpis` does. " +
        '`part` lists only the records in the numerator, in the denominator, or in neither. Paginated in the order of the ' +
        "records' instants, then ids; a cursor this API did not issue is a 422.",
      request: { query: KpiExplainQuerySchema },
      responses: { 200: jsonContent(KpiExplainResponseSchema, 'The cell and a page of its records.') },
    }),
    {
      keyLimits:
        "As `GET /v1/kpis`: a team key's cell is its team's (`teamId` set to it), an agent key's its own (`agentId` set to it).",
    },
  ),
  async (c) => {
    const ctx = serviceContext(c);
    return c.json(await explainKpi(ctx, await limitExplainQuery(ctx, keyLimit(c), c.req.valid('query'))), 200);
  },
);
