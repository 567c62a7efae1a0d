import { createRoute, z } from '@hono/zod-openapi';
import { KpiCatalogSchema, KpiQuerySchema, KpiResponseSchema, MAX_KPI_ROWS, MAX_RANGE_DAYS } from '../../contracts/kpis';
import { csvResponse, formatQuery, jsonOrCsvContent, wantsCsv } from '../../http/csv';
import { createRouter, defineRoute, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { KPI_CSV_COLUMNS, kpiCsvFilename, kpiCsvLines, requestedMetrics } from '../../services/kpis/csv';
import { kpiCatalog, queryKpis } from '../../services/kpis/kpis';

const tags = ['KPIs'];

const KpiRequestSchema = KpiQuerySchema.extend({
  format: formatQuery,
  columns: z.enum(KPI_CSV_COLUMNS).default('values').openapi({
    description:
      'CSV only: `values` (one column per metric) or `full` (each also with `<id>.numerator`, `<id>.denominator`, `<id>.status`).',
  }),
});

export const kpisRouter = createRouter()
  .openapi(
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
  )
  .openapi(
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
          `by queue, or the request's). Ranges up to ${MAX_RANGE_DAYS} days; at most ${MAX_KPI_ROWS} rows (422 \`RESULT_TOO_LARGE\` otherwise). ` +
          'As CSV with `format=csv` or `Accept: text/csv`.',
        request: { query: KpiRequestSchema },
        responses: {
          200: jsonOrCsvContent(
            KpiResponseSchema,
            'The rows.',
            'one line per row (period × group): `start`, `end`, a column per `groupBy` dimension (`queueId`, `teamId`, ' +
              '`agentId`, `siteId`, `direction`), then `<metricId>` per metric in the order of `metrics` (empty when the ' +
              'value is null) and, with `columns=full`, `<metricId>.numerator`, `<metricId>.denominator`, `<metricId>.status`.',
          ),
        },
      }),
    ),
    async (c) => {
      const q = c.req.valid('query');
      const report = await queryKpis(serviceContext(c), q);
      if (!wantsCsv(c, q.format)) return c.json(report, 200);
      return csvResponse(c, kpiCsvFilename(report), kpiCsvLines(report, requestedMetrics(q.metrics), q.columns));
    },
  );
