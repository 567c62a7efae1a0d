import { z } from 'zod';
import { AGENT_STATES } from '../events/event-types';
import { LIVE_METRICS } from '../kpi/live';

/**
 * Alert rules (docs/alerts.md): a condition on the live state, watched in the tenant's live hub on every change
 * and on timers, never by polling Postgres. One schema per contract: the API's and the hub's rule are this one.
 */

/** Values of the live state that are not KPIs: what is true right now. */
export const INSTANT_MEASURES = ['waiting', 'longestWaitMs', 'newCallerEwtMs', 'agentsAvailable', 'agentsStaffed'] as const;
export type InstantMeasure = (typeof INSTANT_MEASURES)[number];
export const ALERT_METRICS = [...LIVE_METRICS, ...INSTANT_MEASURES] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

export const ALERT_WINDOWS = ['today', '15m', '30m', '60m'] as const;
export type AlertWindow = (typeof ALERT_WINDOWS)[number];
export const COMPARATORS = ['gt', 'gte', 'lt', 'lte'] as const;
export type Comparator = (typeof COMPARATORS)[number];
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const SCOPE_KINDS = ['queue', 'site', 'team', 'agent', 'tenant'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

const id = z.string().min(1).max(64);

export const AlertScopeSchema = z
  .strictObject({
    kind: z.enum(SCOPE_KINDS),
    id: id.optional().describe('The queue, site, team or agent; absent for the tenant.'),
  })
  .meta({ id: 'AlertScope' });
export type AlertScope = z.infer<typeof AlertScopeSchema>;

export const MetricConditionSchema = z
  .strictObject({
    type: z.literal('metric'),
    metric: z
      .enum(ALERT_METRICS)
      .describe(
        'A live KPI (`GET /v1/kpis/catalog` defines each; ratios are 0..1, times in ms) or a value of the moment: callers waiting, the longest wait (ms), a new caller’s estimated wait (ms), agents available or staffed.',
      ),
    window: z
      .enum(ALERT_WINDOWS)
      .default('today')
      .describe('For KPIs: today in the tenant’s zone, or the last 15/30/60 minutes.'),
    comparator: z.enum(COMPARATORS),
    threshold: z.number().finite(),
    minDenominator: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('A ratio or mean over fewer calls than this never triggers (a service level of 0 % over one call is noise).'),
  })
  .meta({ id: 'AlertMetricCondition' });

export const AgentStateConditionSchema = z
  .strictObject({
    type: z.literal('agent_state'),
    state: z.enum(AGENT_STATES),
    reasons: z
      .array(z.string().min(1).max(100))
      .max(50)
      .optional()
      .describe('Only these reason codes (e.g. a break `lunch`); every reason when absent.'),
    maxSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .describe('Triggers for each agent in the state longer than this.'),
  })
  .meta({ id: 'AlertAgentStateCondition' });

export const AnomalyConditionSchema = z
  .strictObject({
    type: z.literal('anomaly'),
    measure: z.enum(['offered', 'asa', 'avgQueueTime', 'abandoned']).describe('Over the last 60 minutes.'),
    direction: z.enum(['above', 'below', 'both']).default('both'),
    factor: z
      .number()
      .min(1.05)
      .max(100)
      .default(2)
      .describe('Triggers when the hour is this many times above (or below) normal.'),
    minBaseline: z
      .number()
      .min(0)
      .default(1)
      .describe('Hours whose normal is under this never trigger "below" (a quiet hour is not an anomaly).'),
    against: z
      .enum(['forecast', 'history'])
      .optional()
      .describe(
        '`forecast` (the default for `offered`, `asa` and `avgQueueTime`): the hour leaves the prediction interval of the queue’s forecast — its volume (GET /v1/forecasts), or the wait Erlang C expects of that volume and AHT with the agents the schedules put on the queue — above its upper or below its lower bound; `factor` does not apply. `history`: `factor` times the same hour of past weeks (always for `abandoned`, and for a `site` scope: its queues together).',
      ),
  })
  .meta({ id: 'AlertAnomalyCondition' });

export const AlertConditionSchema = z
  .discriminatedUnion('type', [MetricConditionSchema, AgentStateConditionSchema, AnomalyConditionSchema])
  .meta({ id: 'AlertCondition' });
export type AlertCondition = z.infer<typeof AlertConditionSchema>;

const ruleFields = {
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  severity: z.enum(SEVERITIES).default('warning'),
  scope: AlertScopeSchema,
  condition: AlertConditionSchema,
  forSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(0)
    .describe('The condition must hold this long before the alert triggers.'),
  cooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(300)
    .describe('After an alert resolves, the same rule and subject do not trigger again for this long.'),
};

export const AlertRuleCreateSchema = z.strictObject(ruleFields).meta({ id: 'AlertRuleCreate' });
export type AlertRuleCreate = z.infer<typeof AlertRuleCreateSchema>;

/** A rule as the hub evaluates it. */
/**
 * An anomaly rule's forecast of its measure: for each 15-minute interval from `from` on, the prediction interval's
 * lower bound, the point forecast and the upper bound (null: unbounded — a wait when the schedule cannot keep up
 * with the upper volume), or null where the interval has no forecast. A mean (a wait) carries `weights`, the
 * calls each interval expects, to average intervals by.
 */
export interface AlertForecast {
  from: number;
  bands: ([number, number, number | null] | null)[];
  weights?: number[];
}

/**
 * The anomaly measures a forecast gives: offered volume (GET /v1/forecasts), and the waits Erlang C expects of the
 * forecast volume and AHT with the agents the schedules put on the queue (docs/alerts.md).
 */
export const FORECAST_MEASURES: readonly string[] = ['offered', 'asa', 'avgQueueTime'];

/** The forecast measures that are means (averaged over intervals by expected calls), not counts. */
export const MEAN_MEASURES: readonly string[] = ['asa', 'avgQueueTime'];

/** Whether an anomaly condition is judged against the forecast (else against past weeks); a site's always against past weeks. */
export const judgedByForecast = (
  c: { measure: string; against?: 'forecast' | 'history' | undefined },
  scopeKind: ScopeKind = 'queue',
) => scopeKind === 'queue' && c.against !== 'history' && FORECAST_MEASURES.includes(c.measure);

export interface AlertRule extends AlertRuleCreate {
  id: string;
  /** Anomaly rules against the forecast: its bands ahead (null: none, history is used). */
  forecast?: AlertForecast | null;
  /** Anomaly rules: the normal value of the measure for each 15-minute slot of the week (Monday 00:00 local first). */
  baseline?: (number | null)[] | null;
  /** The tenant's time zone the baseline's weeks are cut in. */
  baselineTimeZone?: string | null;
}

/**
 * What a rule may watch: a KPI over a window can be summed over queues (queue, site, tenant), but not over a
 * team (a team's agents serve queues, not the other way round); agents' states can be watched in any scope.
 * Null when the rule is consistent, else why not.
 */
export function ruleProblem(rule: Pick<AlertRuleCreate, 'scope' | 'condition'>): { pointer: string; detail: string } | null {
  const { scope, condition } = rule;
  if (scope.kind !== 'tenant' && !scope.id)
    return { pointer: '/scope/id', detail: `a ${scope.kind} scope names its ${scope.kind}` };
  if (scope.kind === 'tenant' && scope.id) return { pointer: '/scope/id', detail: 'the tenant scope names nothing' };
  if (condition.type === 'metric') {
    const agentsOnly = condition.metric === 'agentsAvailable' || condition.metric === 'agentsStaffed';
    if (scope.kind === 'agent')
      return { pointer: '/scope/kind', detail: 'metric rules watch a queue, a site, a team or the tenant' };
    if (scope.kind === 'team' && !agentsOnly) {
      return { pointer: '/condition/metric', detail: 'a team scope watches its agents: agentsAvailable or agentsStaffed' };
    }
  }
  if (condition.type === 'anomaly' && scope.kind !== 'queue' && scope.kind !== 'site') {
    return {
      pointer: '/scope/kind',
      detail: 'anomaly rules watch one queue, or one site’s queues together, against their own history',
    };
  }
  if (condition.type === 'anomaly' && scope.kind === 'site' && condition.against === 'forecast') {
    return { pointer: '/condition/against', detail: 'a site is judged against its own history: forecasts are per queue' };
  }
  if (condition.type === 'anomaly' && condition.against === 'forecast' && !FORECAST_MEASURES.includes(condition.measure)) {
    return { pointer: '/condition/against', detail: `the forecast gives ${FORECAST_MEASURES.join(', ')} only` };
  }
  return null;
}
