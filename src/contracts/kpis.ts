import { z } from 'zod';
import { METRIC_IDS } from '../domain/kpi/catalog';
import { MAX_THRESHOLD_SECONDS } from '../domain/kpi/facts';
import { GROUP_DIMENSIONS } from '../domain/kpi/report';
import { TimeZoneSchema } from '../domain/settings';
import { INTERVALS } from '../domain/time/intervals';
import { Timestamp } from './common';

/** A comma-separated list in a query string (`a,b,c`); empty items are dropped. */
const csv = (description: string, max = 200) =>
  z
    .string()
    .max(4000)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(z.string().min(1).max(64)).max(max))
    .optional()
    .describe(description);

const seconds = (description: string) =>
  z.coerce.number().int().min(0).max(MAX_THRESHOLD_SECONDS).optional().describe(description);
const flag = (description: string) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe(description);

/** The largest range a KPI request may span. */
export const MAX_RANGE_DAYS = 400;
/** The most rows (periods × groups) one KPI answer holds. */
export const MAX_KPI_ROWS = 20_000;

export const KpiQuerySchema = z.object({
  metrics: z
    .string()
    .min(1)
    .max(2000)
    .describe(`Comma-separated metric ids (see \`GET /v1/kpis/catalog\`): ${METRIC_IDS.join(', ')}.`),
  from: z.iso.datetime({ offset: true }).describe('Start of the range (inclusive), rounded down to a 15-minute boundary.'),
  to: z.iso
    .datetime({ offset: true })
    .describe(`End of the range (exclusive), rounded up to a 15-minute boundary; at most ${MAX_RANGE_DAYS} days after \`from\`.`),
  interval: z
    .enum(INTERVALS)
    .default('total')
    .describe('Rows per period: hours, days, weeks (ISO, from Monday) and months are cut in `timeZone`, DST included.'),
  groupBy: csv(`Comma-separated dimensions: ${GROUP_DIMENSIONS.join(', ')}.`, 5),
  queueIds: csv('Only these queues.'),
  teamIds: csv('Only agents in these teams (at the time of each call or state interval).'),
  agentIds: csv('Only these agents.'),
  siteIds: csv('Only agents at these sites (at the time of each call or state interval).'),
  direction: z.enum(['inbound', 'outbound']).optional().describe('Only calls of this direction.'),
  timeZone: TimeZoneSchema.optional().describe("IANA time zone the periods are cut in; default the tenant's."),
  'serviceLevel.thresholdSeconds': seconds(
    'Service-level threshold T for this request, 0..3600 s (overrides the tenant and queue policy).',
  ),
  'serviceLevel.shortAbandonSeconds': seconds('Short-abandon threshold for this request, 0..3600 s.'),
  'serviceLevel.abandonsInDenominator': flag('Abandoned visits count in the service-level denominator.'),
  'serviceLevel.excludeShortAbandons': flag('Short abandons are left out of the denominators.'),
  'serviceLevel.flowOutsInDenominator': flag('Flowed-out visits count in the service-level denominator.'),
  'serviceLevel.abandonsWithinThresholdMet': flag('Abandons within T count as met.'),
  source: z
    .enum(['rollups', 'records'])
    .default('rollups')
    .describe(
      '`rollups` (default): the 15-minute rollups, kept exact by every flush. `records`: computed from the history records ' +
        'themselves, slower — to verify an answer. Both give the same numbers; grouping or filtering by direction always reads records.',
    ),
  fcrWindowHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .optional()
    .describe("Repeat-caller FCR window for this request, hours (default the tenant's `fcrWindowHours`)."),
  targets: flag(
    "Each value with its target (the one in effect on the row's first day: an agent's own, else its team's, else the centre's), the gap and whether it was met.",
  ),
  csatSatisfiedScore: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe(
      "CSAT: a response at or above this score is satisfied, unless the survey gave its own `satisfiedScore`, which wins (default: the top two scores of the response's scale).",
    ),
});
export type KpiQuery = z.infer<typeof KpiQuerySchema>;

/** The unit of a metric's value (src/domain/kpi/catalog.ts `MetricUnit`). */
export const MetricUnitSchema = z.enum(['count', 'ms', 'hours', 'ratio', 'perHour']);

export const MetricValueFields = {
  value: z
    .number()
    .nullable()
    .describe('numerator / denominator (the numerator itself for counts, totals and maxima); null when the denominator is 0.'),
  numerator: z.number(),
  denominator: z.number().nullable().describe('null for counts, totals and maxima.'),
  unit: MetricUnitSchema,
};

export const KpiValueSchema = z
  .object({
    ...MetricValueFields,
    status: z
      .enum(['complete', 'partial'])
      .describe('`partial`: the period is still open, visits in it still wait, or agent state intervals are still open.'),
    pending: z
      .number()
      .int()
      .optional()
      .describe('`fcrRepeatCaller`: handled calls whose window is still open, in neither count (the row is then partial).'),
    byReason: z
      .record(z.string(), z.object(MetricValueFields))
      .optional()
      .describe('Away and break metrics per reason code ("" when none was given).'),
    byCategory: z
      .record(z.string(), z.object(MetricValueFields))
      .optional()
      .describe("`complaints` and `complaintRate` per complaint category (every one of the tenant's `complaintCategories`)."),
    target: z
      .number()
      .nullable()
      .optional()
      .describe('With `targets=true`: the target in effect on the row’s first day for whom the row is about (docs/targets.md).'),
    targetFrom: z.enum(['center', 'team', 'agent']).nullable().optional().describe('Whose target it is.'),
    gap: z.number().nullable().optional().describe('value − target.'),
    met: z
      .boolean()
      .nullable()
      .optional()
      .describe(
        'Whether the value is on the better side of the target (null: no target, no value, or a metric without a better side).',
      ),
  })
  .meta({ id: 'KpiValue' });

export const KpiRowSchema = z
  .object({
    start: Timestamp,
    end: Timestamp,
    group: z
      .record(z.string(), z.string().nullable())
      .describe("The row's value of each `groupBy` dimension (`queueId`, `teamId`, `agentId`, `siteId`, `direction`)."),
    metrics: z.record(z.string(), KpiValueSchema),
  })
  .meta({ id: 'KpiRow' });

export const KpiResponseSchema = z
  .object({
    timeZone: z.string(),
    interval: z.enum(INTERVALS),
    from: Timestamp,
    to: Timestamp,
    groupBy: z.array(z.enum(GROUP_DIMENSIONS)),
    rows: z.array(KpiRowSchema),
  })
  .meta({ id: 'KpiReport' });
export type KpiResponse = z.infer<typeof KpiResponseSchema>;

export const KpiCatalogEntrySchema = z
  .object({
    id: z.string(),
    label: z.string(),
    unit: MetricUnitSchema,
    kind: z
      .enum(['count', 'total', 'mean', 'ratio', 'max', 'snapshot', 'distinct'])
      .describe('How it re-aggregates across rows.'),
    source: z
      .enum(['facts', 'calls', 'shifts', 'evaluations', 'training', 'employment'])
      .describe(
        'What it is computed from: call history (facts, calls) or people records (shifts, evaluations, training, employment).',
      ),
    scope: z.enum(['queue', 'agent', 'tenant']),
    definition: z.string(),
    numerator: z.string(),
    denominator: z.string().nullable(),
    policy: z.array(z.string()).describe('Settings its value depends on.'),
    higherIsBetter: z.boolean().nullable(),
    available: z.boolean().describe('false: defined, not computed by `GET /v1/kpis` yet.'),
  })
  .meta({ id: 'KpiCatalogEntry' });

export const KpiCatalogSchema = z.object({ metrics: z.array(KpiCatalogEntrySchema) }).meta({ id: 'KpiCatalog' });
export type KpiCatalog = z.infer<typeof KpiCatalogSchema>;
