import { z } from 'zod';
import { AGENT_STATES } from '../domain/events/event-types';
import { LIVE_METRICS, LIVE_WINDOWS_MINUTES } from '../domain/kpi/live';
import { Timestamp } from './common';
import { MetricValueFields } from './kpis';

/** Waiting callers a snapshot lists (the count is `waiting`). */
export const MAX_LISTED_CALLERS = 100;

/** A live metric: its value with the numerator and denominator it came from (the catalog's formula). */
export const LiveMetricValueSchema = z.object(MetricValueFields).meta({ id: 'LiveMetricValue' });

/** Every live metric, keyed by catalog id (`GET /v1/kpis/catalog` defines each). */
export const LiveMetricsSchema = z
  .object(
    Object.fromEntries(LIVE_METRICS.map((id) => [id, LiveMetricValueSchema])) as Record<
      (typeof LIVE_METRICS)[number],
      typeof LiveMetricValueSchema
    >,
  )
  .describe(
    'The queue metrics its own records decide, computed with the same definitions as `GET /v1/kpis` (quality and direction metrics come from there only).',
  )
  .meta({ id: 'LiveMetrics' });

export const LiveWindowSchema = z
  .object({
    minutes: z.union(LIVE_WINDOWS_MINUTES.map((m) => z.literal(m))),
    from: Timestamp.describe('Visits that started (and segments that connected) from this instant on.'),
    metrics: LiveMetricsSchema,
  })
  .meta({ id: 'LiveWindow' });

export const LiveSnapshotSchema = z
  .object({
    queueId: z.string(),
    name: z.string().nullable(),
    siteId: z.string().nullable(),
    asOf: Timestamp,
    seq: z
      .number()
      .int()
      .describe('The sequence number of the last snapshot this queue pushed on the stream (0: none yet); each push adds one.'),
    waiting: z.number().int().describe('Callers in the queue now.'),
    waitingCallers: z
      .array(
        z.object({
          visitId: z.string(),
          interactionId: z.string(),
          position: z.number().int().describe('1 is next to be answered.'),
          waitingSince: Timestamp,
          waitedMs: z.number().int(),
          ewtMs: z
            .number()
            .int()
            .nullable()
            .describe('Estimated ms from now until answered (null: no agent staffed, or no handle time yet).'),
        }),
      )
      .describe(`The first ${MAX_LISTED_CALLERS} callers waiting, in the order they are answered.`),
    ewt: z
      .object({
        newCallerMs: z.number().int().nullable().describe('What a caller joining now would wait (position waiting + 1).'),
        method: z.enum(['agent_available', 'positional', 'no_agents_staffed', 'no_handle_time']),
        staffedAgents: z.number().int().describe('Agents available, busy or in after-call work.'),
        availableAgents: z.number().int(),
        ahtMs: z.number().nullable().describe('The handle time the estimate uses: the last 60 minutes, else today.'),
        erlangC: z
          .object({ load: z.number(), probabilityOfWaiting: z.number(), asaMs: z.number(), occupancy: z.number() })
          .nullable()
          .describe("Erlang C's steady state under the last 30 minutes' arrivals (null: overloaded, or no history)."),
      })
      .describe('Estimated wait: (k − available) × AHT / staffed agents for the caller at position k (docs/ewt.md).'),
    longestWaitMs: z.number().int().nullable(),
    oldestWaitingSince: Timestamp.nullable().describe('Render a ticking timer from this instead of polling.'),
    agents: z.object({
      byState: z.record(z.enum(AGENT_STATES), z.number().int()),
      list: z.array(
        z.object({
          agentId: z.string(),
          state: z.enum(AGENT_STATES),
          reason: z.string().nullable(),
          since: Timestamp,
          timeInStateMs: z.number().int(),
        }),
      ),
    }),
    today: z
      .object({
        date: z.string(),
        timeZone: z.string(),
        offered: z.number().int(),
        answered: z.number().int(),
        abandoned: z.number().int(),
        flowedOut: z.number().int(),
        unknown: z.number().int(),
        dayStart: Timestamp.describe("The tenant's local midnight that began today (DST-aware)."),
        metrics: LiveMetricsSchema,
      })
      .describe("Visits that started today in the tenant's time zone (and agent segments that connected today)."),
    windows: z.array(LiveWindowSchema).describe('The same metrics over the last 15, 30 and 60 minutes.'),
    serviceLevelPolicy: z
      .object({ thresholdSeconds: z.number().int(), targetPercent: z.number(), shortAbandonSeconds: z.number().int() })
      .describe("The policy the metrics apply (the tenant's, with the queue's overrides): a wallboard's gauge target."),
    outbox: z
      .object({
        backlog: z.number().int(),
        lastFlushAt: Timestamp.nullable(),
        lastError: z
          .string()
          .nullable()
          .describe('Why the last failed flush failed, in short (never SQL); kept after the flush recovers.'),
        lastErrorCode: z
          .string()
          .nullable()
          .describe(
            'Stable code of that failure: POSTGRES_UNAVAILABLE, POSTGRES_TIMEOUT, POSTGRES_CONFLICT, POSTGRES_REFUSED_DATA or POSTGRES_ERROR.',
          ),
        failures: z.number().int(),
        nextAttemptAt: Timestamp.nullable(),
        flushedRows: z.number().int().describe('Rows this queue has written to Postgres since it started.'),
        flushMs: z.number().int().describe('Time spent writing them (flushedRows / flushMs is the flush rate).'),
        deadLetters: z
          .number()
          .int()
          .describe('Rows Postgres refused, kept aside so the rest could be written (GET /v1/dead-letters).'),
      })
      .describe('Records and events not yet in Postgres, and the health of the flush.'),
  })
  .meta({ id: 'QueueLive' });

const AgentsByStateSchema = z.record(z.enum(AGENT_STATES), z.number().int());

export const LiveTotalsSchema = z
  .object({
    queues: z.number().int(),
    waiting: z.number().int(),
    longestWaitMs: z.number().int().nullable(),
    agents: AgentsByStateSchema.describe('Each agent once, in the newest state any of its queues has.'),
    today: LiveMetricsSchema,
    windows: z.array(z.object({ minutes: z.number().int(), metrics: LiveMetricsSchema })),
  })
  .describe(
    "Totals of several queues: each metric's numerators and denominators summed (each queue judged under its own policy), the value recomputed; maxima are the largest.",
  )
  .meta({ id: 'LiveTotals' });

export const TenantLiveSchema = z
  .object({
    asOf: Timestamp,
    tenant: LiveTotalsSchema,
    sites: z.array(LiveTotalsSchema.extend({ siteId: z.string() })).describe("Each site's queues, and its agents' states."),
    teams: z.array(z.object({ teamId: z.string(), agents: AgentsByStateSchema })).describe("Each team's agents by state."),
    queues: z.array(LiveSnapshotSchema),
  })
  .meta({ id: 'TenantLive' });

const SiteServiceLevelSchema = z
  .object({
    today: LiveMetricValueSchema.describe("Today's (the tenant's day), its queues' numerators and denominators summed."),
    lastHour: LiveMetricValueSchema.nullable().describe('The last 60 minutes’, the same way (null: the site has no queue).'),
  })
  .describe('The service level as `GET /v1/live` totals it: each queue judged under its own policy.');

const AgentCountsSchema = z.object({
  available: z.number().int(),
  staffed: z.number().int().describe('Available, busy or in after-call work.'),
});

export const OverflowSuggestionSchema = z
  .object({
    queueId: z.string(),
    fromSiteId: z
      .string()
      .describe('The queue’s own site: callers wait there and none of its agents serving the queue is available.'),
    toSiteId: z.string().describe('A site with agents serving the queue (`queueIds` of the agent) available now.'),
    waiting: z.number().int(),
    longestWaitMs: z.number().int().nullable(),
    availableAgents: z.number().int(),
    agentIds: z.array(z.string()).describe('Those agents, ids sorted.'),
    reason: z.string().describe('The suggestion in a sentence.'),
  })
  .meta({ id: 'OverflowSuggestion' });

export const SitesLiveSchema = z
  .object({
    asOf: Timestamp,
    sites: z.array(
      z.object({
        siteId: z.string(),
        waiting: z.number().int().describe('Callers waiting in the site’s queues.'),
        longestWaitMs: z.number().int().nullable(),
        agents: AgentCountsSchema.extend({ byState: AgentsByStateSchema }).describe(
          'The site’s agents now (each once, in its newest state), whichever queues they serve.',
        ),
        serviceLevel: SiteServiceLevelSchema,
        queues: z.array(
          z.object({
            queueId: z.string(),
            name: z.string().nullable(),
            waiting: z.number().int(),
            longestWaitMs: z.number().int().nullable(),
            agents: AgentCountsSchema.describe('Agents of this site who serve the queue.'),
            serviceLevel: SiteServiceLevelSchema,
          }),
        ),
      }),
    ),
    overflow: z
      .array(OverflowSuggestionSchema)
      .describe(
        'For each queue with callers waiting and no agent of its own site available to it, each other site whose agents serving it are available now: queues by longest wait, sites by available agents. Queues without a site are never here.',
      ),
  })
  .meta({ id: 'SitesLive' });
