import { createRoute, z } from '@hono/zod-openapi';
import { KpiCatalogSchema, KpiQuerySchema, KpiResponseSchema, MAX_KPI_ROWS, MAX_RANGE_DAYS } from '../../contracts/kpis';
import { csvResponse, formatQuery, jsonOrCsvContent, wantsCsv } from '../../http/csv';
import { keyLimit } from '../../http/key-limits';
import { createRouter, defineRoute, jsonBody, jsonContent } from '../../http/openapi';
import { serviceContext } from '../../http/service-context';
import { limitKpiQuery } from '../../services/key-limits/kpis';
import { KPI_CSV_COLUMNS, kpiCsvFilename, kpiCsvLines, requestedMetrics } from '../../services/kpis/csv';
import { kpiCatalog, queryKpis } from '../../services/kpis/kpis';
import { rebuildRollups } from '../../services/kpis/rollups';

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
      { keyLimits: 'Definitions only: the same for every key.' },
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
      {
        keyLimits:
          "A team key's rows are its team's agents at the time of each record, an agent key's its own; another team or agent " +
          'asked for, or a metric counted before a call reaches an agent, is a 403.',
      },
    ),
    async (c) => {
      const ctx = serviceContext(c);
      const q = await limitKpiQuery(ctx, keyLimit(c), c.req.valid('query'));
      const report = await queryKpis(ctx, q);
      if (!wantsCsv(c, q.format)) return c.json(report, 200);
      return csvResponse(c, kpiCsvFilename(report), kpiCsvLines(report, requestedMetrics(q.metrics), q.columns));
    },
  )
  .openapi(
    defineRoute(
      { scope: 'admin' },
      createRoute({
        method: 'post',
        path: '/v1/kpis/rollups/rebuild',
        operationId: 'rebuildKpiRollups',
        tags,
        summary: 'Recompute KPI rollups from the records',
        description:
          'Lists the buckets of `from`..`to` (optional, up to 400 days) as dirty, then recomputes up to `maxBuckets` dirty buckets ' +
          'from the history records. Answers are exact meanwhile (dirty buckets are read from their records; flushes also heal ' +
          'a few at a time): this makes them fast again sooner, e.g. after the migration that added rollups. Repeat until ' +
          '`dirtyLeft` is 0.',
        request: {
          body: jsonBody(
            z.strictObject({
              from: z.iso.datetime({ offset: true }).optional(),
              to: z.iso.datetime({ offset: true }).optional(),
              maxBuckets: z.number().int().min(1).max(5000).default(500),
            }),
          ),
        },
        responses: {
          200: jsonContent(
            z
              .object({ marked: z.number().int(), recomputed: z.number().int(), dirtyLeft: z.number().int() })
              .meta({ id: 'RollupRebuild' }),
            'What was listed and recomputed, and how many dirty buckets are left.',
          ),
        },
      }),
    ),
    async (c) => c.json(await rebuildRollups(serviceContext(c), c.req.valid('json')), 200),
  );
