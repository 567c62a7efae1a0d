import { createRoute } from '@hono/zod-openapi';
import { KpiCatalogSchema, KpiQuerySchema, KpiResponseSchema, MAX_KPI_ROWS, MAX_RANGE_DAYS } from '../../contracts/kpis';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { kpiCatalog, queryKpis } from '../../services/kpis/kpis';

export const kpisRouter = createRouter();
const tags = ['KPIs'];

kpisRouter.openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/kpis/catalog',
      operationId: 'getKpiCatalog',
      tags,
      summary: 'Every KPI and its definition',
      description:
        'Id, label, unit, how it re-aggregates, what its numerator and denominator count, and which policy settings change it.',
      responses: { 200: jsonContent(KpiCatalogSchema, 'The catalog.') },
    }),
  ),
  async (c) => c.json(kpiCatalog(), 200),
);

kpisRouter.openapi(
  defineRoute(
    { scope: 'read' },
    createRoute({
      method: 'get',
      path: '/v1/kpis',
      operationId: 'getKpis',
      tags,
      summary: 'KPIs over any period, interval and grouping',
      description:
        'Each metric per period (cut in `timeZone`, DST included) and group, with its numerator and denominator so clients can ' +
        're-aggregate. Queue metrics count in the period where the visit started; agent state time is split across periods. ' +
        "Service level and short abandons are exact for any whole-second threshold 0..3600 (the tenant's, the queue's when grouped " +
        `by queue, or the request's). Ranges up to ${MAX_RANGE_DAYS} days; at most ${MAX_KPI_ROWS} rows (422 \`RESULT_TOO_LARGE\` otherwise).`,
      request: { query: KpiQuerySchema },
      responses: { 200: jsonContent(KpiResponseSchema, 'The rows.') },
    }),
  ),
  async (c) => c.json(await queryKpis(serviceContext(c), c.req.valid('query')), 200),
);
