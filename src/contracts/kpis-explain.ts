import { z } from 'zod';
import { METRIC_IDS } from '../domain/kpi/catalog';
import { Timestamp } from './common';
import { KpiQuerySchema, MAX_RANGE_DAYS, MetricUnitSchema } from './kpis';

/** The most records one page of an explanation holds. */
export const MAX_EXPLAIN_LIMIT = 1000;

export const EXPLAIN_PARTS = ['numerator', 'denominator', 'excluded'] as const;

const id = (description: string) => z.string().min(1).max(64).optional().describe(description);

export const KpiExplainQuerySchema = z.object({
  metric: z
    .string()
    .min(1)
    .max(64)
    .describe(`One metric id (see \`GET /v1/kpis/catalog\`): ${METRIC_IDS.join(', ')}.`),
  start: z.iso
    .datetime({ offset: true })
    .describe("The cell's period start, as a row of `GET /v1/kpis` gives it (on a 15-minute boundary)."),
  end: z.iso
    .datetime({ offset: true })
    .describe(`The cell's period end (exclusive, on a 15-minute boundary; at most ${MAX_RANGE_DAYS} days after \`start\`).`),
  queueId: id("The row's queue (its policy applies, as on a row grouped by queue)."),
  agentId: id("The row's agent: queue metrics then cover the visits it answered."),
  teamId: z
    .string()
    .max(64)
    .optional()
    .describe("The row's team: agents in it at the time of each record. Empty (`teamId=`): the row of agents in no team."),
  siteId: z
    .string()
    .max(64)
    .optional()
    .describe("The row's site: agents at it at the time of each record. Empty (`siteId=`): the row of agents at no site."),
  direction: z
    .enum(['inbound', 'outbound', 'unknown'])
    .optional()
    .describe("The row's call direction (`unknown`: calls that said none)."),
  ...KpiQuerySchema.pick({
    'serviceLevel.thresholdSeconds': true,
    'serviceLevel.shortAbandonSeconds': true,
    'serviceLevel.abandonsInDenominator': true,
    'serviceLevel.excludeShortAbandons': true,
    'serviceLevel.flowOutsInDenominator': true,
    'serviceLevel.abandonsWithinThresholdMet': true,
    csatSatisfiedScore: true,
    fcrWindowHours: true,
  }).shape,
  part: z
    .enum(EXPLAIN_PARTS)
    .optional()
    .describe('Only the records in the numerator, in the denominator, or in neither (`excluded`). Default: all of the cell.'),
  limit: z.coerce.number().int().min(1).max(MAX_EXPLAIN_LIMIT).default(100),
  cursor: z.string().max(2000).optional(),
});
export type KpiExplainQuery = z.infer<typeof KpiExplainQuerySchema>;

const judgement = {
  inNumerator: z.boolean(),
  inDenominator: z.boolean().describe('Always false for counts and totals, which have no denominator.'),
  adds: z
    .object({ numerator: z.number(), denominator: z.number() })
    .describe(
      'What the record adds to the cell: 1 per record counted, ms for durations and time-based ratios; for the longest wait, ' +
        'its wait (the cell takes the largest). The items of the whole cell add up to its numerator and denominator.',
    ),
  reason: z.string().describe('Why, in words: e.g. "answered after 24.3 s > T=20 s: not met".'),
};
const direction = z.enum(['inbound', 'outbound', 'unknown']);

export const ExplainVisitSchema = z
  .object({
    kind: z.literal('visit'),
    visitId: z.string(),
    interactionId: z.string(),
    queueId: z.string(),
    enqueuedAt: Timestamp,
    leftAt: Timestamp.nullable(),
    waitMs: z.number().nullable(),
    outcome: z.string().nullable().describe('null while the caller still waits.'),
    agentId: z.string().nullable(),
    direction,
    ...judgement,
  })
  .meta({ id: 'KpiExplainVisit' });

export const ExplainSegmentSchema = z
  .object({
    kind: z.literal('segment'),
    segmentId: z.string(),
    interactionId: z.string(),
    queueId: z.string(),
    agentId: z.string(),
    connectedAt: Timestamp,
    disconnectedAt: Timestamp.nullable(),
    talkMs: z.number().nullable(),
    holdMs: z.number(),
    holdCount: z.number(),
    acwMs: z.number().nullable(),
    transferred: z.boolean(),
    direction,
    ...judgement,
  })
  .meta({ id: 'KpiExplainSegment' });

export const ExplainIntervalSchema = z
  .object({
    kind: z.literal('interval'),
    intervalId: z.string(),
    agentId: z.string(),
    state: z.string(),
    stateReason: z.string().nullable().describe("The agent's reason code (away), if any."),
    startedAt: Timestamp,
    endedAt: Timestamp.nullable().describe('null while still open (counted up to now).'),
    overlapMs: z.number().describe('Time inside the cell.'),
    startedInCell: z.boolean().describe('Breaks count, whole, in the cell where they started.'),
    ...judgement,
  })
  .meta({ id: 'KpiExplainInterval' });

export const ExplainInteractionSchema = z
  .object({
    kind: z.literal('interaction'),
    interactionId: z.string(),
    at: Timestamp.describe('When the disposition, survey response or IVR session was reported.'),
    queueId: z.string().nullable().describe('The queue it is attributed to (of its last agent segment, else its last visit).'),
    agentId: z.string().nullable(),
    direction,
    disposition: z.object({ resolved: z.boolean(), code: z.string().nullable(), category: z.string().nullable() }).nullable(),
    survey: z
      .object({
        score: z.number(),
        scaleMin: z.number(),
        scaleMax: z.number(),
        satisfiedScore: z.number().nullable().describe("The survey's own satisfied threshold (null: none given)."),
      })
      .nullable(),
    ivr: z.object({ selfServed: z.boolean() }).nullable(),
    ...judgement,
  })
  .meta({ id: 'KpiExplainInteraction' });

export const ExplainCallSchema = z
  .object({
    kind: z.literal('call'),
    interactionId: z.string(),
    queueId: z.string().describe('The queue of its last agent segment (where the call counts).'),
    agentId: z.string().describe('The agent of its last agent segment.'),
    connectedAt: Timestamp.describe('When its last agent segment connected (the instant the call counts at).'),
    endedAt: Timestamp.nullable().describe('When the call ended; null while it goes on.'),
    nextCallId: z.string().nullable().describe("The same caller's first call after this one ended, if any."),
    nextCallAt: Timestamp.nullable(),
    verdict: z.enum(['resolved', 'repeated', 'pending']),
    ...judgement,
  })
  .meta({ id: 'KpiExplainCall' });

export const KpiExplainItemSchema = z.discriminatedUnion('kind', [
  ExplainVisitSchema,
  ExplainSegmentSchema,
  ExplainIntervalSchema,
  ExplainInteractionSchema,
  ExplainCallSchema,
]);
export type KpiExplainItem = z.infer<typeof KpiExplainItemSchema>;

export const KpiExplainResponseSchema = z
  .object({
    metric: z.string(),
    start: Timestamp,
    end: Timestamp,
    group: z
      .record(z.string(), z.string().nullable())
      .describe('The filters the cell was chosen by, as the row of `GET /v1/kpis` names them (null: no team, no site).'),
    policy: z
      .object({
        thresholdSeconds: z.number(),
        targetPercent: z.number(),
        shortAbandonSeconds: z.number(),
        abandonsInDenominator: z.boolean(),
        excludeShortAbandons: z.boolean(),
        flowOutsInDenominator: z.boolean(),
        abandonsWithinThresholdMet: z.boolean(),
        csatSatisfiedScore: z
          .number()
          .nullable()
          .describe("For responses without a threshold of their own; null: top-2-box on each response's scale."),
        complaintCategories: z.array(z.string()).describe("The tenant's complaint categories."),
        rightPartyCategories: z.array(z.string()).describe("The tenant's right-party categories (outbound)."),
      })
      .describe("The policy the cell was judged under: the queue's (or the tenant's), with the request's overrides."),
    value: z.number().nullable(),
    numerator: z.number(),
    denominator: z.number().nullable(),
    unit: MetricUnitSchema,
    records: z
      .enum(['visit', 'segment', 'interval', 'interaction', 'call'])
      .describe(
        "The kind of record the metric is explained by (`call`: handled calls judged for a repeat, `fcrRepeatCaller`). `contactsPerHour` is explained by calls (`interaction`, its numerator) and the agents' state intervals (`interval`, its denominator, adding hours), listed together.",
      ),
    items: z
      .array(KpiExplainItemSchema)
      .describe(
        'In order of their instant (enqueued, connected, started, reported; a call: its last segment connected), then id.',
      ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'KpiExplanation' });
export type KpiExplainResponse = z.infer<typeof KpiExplainResponseSchema>;
