import type { AgentState } from '../events/event-types';
import type { MetricValue } from '../kpi/compute';
import { type LiveMetricId, sumLiveMetrics } from '../kpi/live';
import { type AlertForecast, type AlertRule, type Comparator, judgedByForecast } from './rules';

/**
 * Alert evaluation, pure: what each rule observes in the tenant's live state, and the lifecycle of each
 * (rule, subject) — pending while the condition holds for less than `forSeconds`, triggered, acknowledged by
 * someone, resolved when the condition stops holding; then quiet for `cooldownSeconds`. The hub feeds it every
 * change and wakes it at the instants it asks for (`wakeAt`), so a for-duration or a break's maximum is met on
 * time without polling.
 */

/** What the engine reads of one queue's live state (a subset of the queue's snapshot). */
export interface QueueView {
  queueId: string;
  siteId: string | null;
  waiting: number;
  longestWaitMs: number | null;
  newCallerEwtMs: number | null;
  today: Record<LiveMetricId, MetricValue>;
  windows: Partial<Record<15 | 30 | 60, Record<LiveMetricId, MetricValue>>>;
  agents: readonly AgentView[];
}

export interface AgentView {
  agentId: string;
  state: AgentState;
  reason: string | null;
  since: number;
}

export interface TenantView {
  now: number;
  queues: readonly QueueView[];
  /** Each agent once (its newest state over its queues), with its team and site now. */
  agents: readonly (AgentView & { teamId: string | null; siteId: string | null })[];
  /** The local weekday (0 = Monday) and 15-minute slot of `now` in the tenant's zone, for anomaly baselines. */
  weekSlot: number;
}

/** One thing a rule watches and what it sees now. */
export interface Observation {
  /** Names the subject within the rule: the scope for metric rules, `agent:<id>` for agent-state rules. */
  subject: string;
  agentId: string | null;
  /** The observed value (ms for times, 0..1 for ratios); null when unknown (no calls yet). */
  value: number | null;
  holds: boolean;
  /** When the condition will start to hold if nothing changes (an agent reaching a state's maximum). */
  holdsFrom: number | null;
}

const WINDOW_MINUTES = { '15m': 15, '30m': 30, '60m': 60 } as const;
const compare = (c: Comparator, v: number, t: number) =>
  c === 'gt' ? v > t : c === 'gte' ? v >= t : c === 'lt' ? v < t : v <= t;

/** The queues a scope covers. */
function queuesIn(rule: AlertRule, view: TenantView): QueueView[] {
  const { kind, id } = rule.scope;
  if (kind === 'tenant') return [...view.queues];
  if (kind === 'queue') return view.queues.filter((q) => q.queueId === id);
  if (kind === 'site') return view.queues.filter((q) => q.siteId === id);
  return [];
}

/** The agents a scope covers (a queue's: those its snapshot lists). */
function agentsIn(rule: AlertRule, view: TenantView): AgentView[] {
  const { kind, id } = rule.scope;
  if (kind === 'tenant') return [...view.agents];
  if (kind === 'agent') return view.agents.filter((a) => a.agentId === id);
  if (kind === 'team') return view.agents.filter((a) => a.teamId === id);
  if (kind === 'site') return view.agents.filter((a) => a.siteId === id);
  const listed = new Set(view.queues.find((q) => q.queueId === id)?.agents.map((a) => a.agentId) ?? []);
  return view.agents.filter((a) => listed.has(a.agentId));
}

const scopeKey = (rule: AlertRule) => `${rule.scope.kind}:${rule.scope.id ?? ''}`;

/** What a rule sees in the tenant's live state now. */
export function observe(rule: AlertRule, view: TenantView): Observation[] {
  const c = rule.condition;
  if (c.type === 'agent_state') {
    const out: Observation[] = [];
    for (const a of agentsIn(rule, view)) {
      if (a.state !== c.state || (c.reasons && !c.reasons.includes(a.reason ?? ''))) continue;
      const limit = a.since + c.maxSeconds * 1000;
      out.push({
        subject: `agent:${a.agentId}`,
        agentId: a.agentId,
        value: Math.max(0, view.now - a.since),
        holds: view.now > limit,
        holdsFrom: limit + 1,
      });
    }
    return out;
  }
  if (c.type === 'anomaly') {
    const qs = queuesIn(rule, view);
    const q = qs[0];
    // A site's queues together: their numerators and denominators summed, as in GET /v1/live's totals.
    const hours = qs.map((x) => x.windows[60]).filter((w): w is Record<LiveMetricId, MetricValue> => w !== undefined);
    const value =
      qs.length === 1
        ? (q?.windows[60]?.[c.measure]?.value ?? null)
        : hours.length > 0
          ? sumLiveMetrics(hours)[c.measure].value
          : null;
    // Against the forecast where the rule has one covering the last hour; else against past weeks.
    const band = judgedByForecast(c, rule.scope.kind) ? forecastBand(rule.forecast ?? null, view.now - HOUR_MS, view.now) : null;
    if (band) {
      const above = value !== null && value > band.upper;
      const below = value !== null && band.point >= c.minBaseline && value < band.lower;
      const holds = c.direction === 'above' ? above : c.direction === 'below' ? below : above || below;
      return q ? [{ subject: scopeKey(rule), agentId: null, value, holds, holdsFrom: null }] : [];
    }
    const normal = rule.baseline?.[view.weekSlot] ?? null;
    let holds = false;
    if (value !== null && normal !== null) {
      const above = value > normal * c.factor;
      const below = normal >= c.minBaseline && value < normal / c.factor;
      holds = c.direction === 'above' ? above : c.direction === 'below' ? below : above || below;
    }
    return q ? [{ subject: scopeKey(rule), agentId: null, value, holds, holdsFrom: null }] : [];
  }
  const value = metricValue(rule, view, c.metric, c.window, c.minDenominator);
  return [
    {
      subject: scopeKey(rule),
      agentId: null,
      value,
      holds: value !== null && compare(c.comparator, value, c.threshold),
      holdsFrom: null,
    },
  ];
}

const HOUR_MS = 3_600_000;
const INTERVAL_MS = 900_000;

/**
 * What a forecast expects over [from, to): each 15-minute interval's lower bound, point and upper bound, taken in
 * proportion to its overlap with the window (a rolling hour spans five intervals) — added up for a count, averaged
 * by the calls each interval expects for a mean. Null when the forecast does not cover the whole window, an
 * interval of it has no forecast, or (a mean) no call is expected. A count's bounds are sums of the intervals'
 * bounds: wider than the prediction interval of the sum, so the judgement errs on the quiet side.
 */
export function forecastBand(
  forecast: AlertForecast | null,
  from: number,
  to: number,
): { lower: number; point: number; upper: number } | null {
  if (!forecast || from < forecast.from || to > forecast.from + forecast.bands.length * INTERVAL_MS) return null;
  const mean = forecast.weights !== undefined;
  let lower = 0;
  let point = 0;
  let upper = 0;
  let weight = 0;
  for (let i = Math.floor((from - forecast.from) / INTERVAL_MS); i < forecast.bands.length; i++) {
    const start = forecast.from + i * INTERVAL_MS;
    if (start >= to) break;
    const band = forecast.bands[i];
    if (!band) return null;
    const share = (Math.min(to, start + INTERVAL_MS) - Math.max(from, start)) / INTERVAL_MS;
    const w = share * (mean ? (forecast.weights?.[i] ?? 0) : 1);
    if (w === 0) continue;
    lower += band[0] * w;
    point += band[1] * w;
    upper += (band[2] ?? Number.POSITIVE_INFINITY) * w;
    weight += w;
  }
  if (!mean) return { lower, point, upper };
  return weight > 0 ? { lower: lower / weight, point: point / weight, upper: upper / weight } : null;
}

function metricValue(
  rule: AlertRule,
  view: TenantView,
  metric: string,
  window: keyof typeof WINDOW_MINUTES | 'today',
  minDenominator: number,
): number | null {
  if (metric === 'agentsAvailable' || metric === 'agentsStaffed') {
    const staffed = new Set<AgentState>(metric === 'agentsAvailable' ? ['available'] : ['available', 'busy', 'wrapup']);
    return agentsIn(rule, view).filter((a) => staffed.has(a.state)).length;
  }
  const queues = queuesIn(rule, view);
  if (queues.length === 0) return null;
  if (metric === 'waiting') return queues.reduce((n, q) => n + q.waiting, 0);
  if (metric === 'longestWaitMs' || metric === 'newCallerEwtMs') {
    const values = queues
      .map((q) => (metric === 'longestWaitMs' ? q.longestWaitMs : q.newCallerEwtMs))
      .filter((v): v is number => v !== null);
    return values.length === 0 ? null : Math.max(...values);
  }
  const parts = queues
    .map((q) => (window === 'today' ? q.today : q.windows[WINDOW_MINUTES[window]]))
    .filter((m) => m !== undefined);
  const total = sumLiveMetrics(parts as Record<LiveMetricId, MetricValue>[])[metric as LiveMetricId];
  if (total.denominator !== null && total.denominator < minDenominator) return null;
  return total.value;
}

/** The lifecycle of one (rule, subject). */
export interface SubjectState {
  /** Since when the condition has held without triggering yet. */
  pendingSince: number | null;
  active: ActiveAlert | null;
  lastResolvedAt: number | null;
}

export interface ActiveAlert {
  id: string;
  triggeredAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** The value when it triggered. */
  value: number | null;
}

export type Transition =
  | { kind: 'triggered'; alert: ActiveAlert }
  | { kind: 'resolved'; alert: ActiveAlert; resolvedAt: number; value: number | null };

export const QUIET: SubjectState = { pendingSince: null, active: null, lastResolvedAt: null };

/**
 * One step of a (rule, subject): `obs` is what the rule sees now (undefined: the subject is gone — the agent left
 * the state — or the rule was disabled). Answers the next state, what happened, and when to look again.
 */
export function step(
  rule: Pick<AlertRule, 'forSeconds' | 'cooldownSeconds'>,
  state: SubjectState,
  obs: Observation | undefined,
  now: number,
  newAlertId: () => string,
): { next: SubjectState; transition: Transition | null; wakeAt: number | null } {
  if (!obs?.holds) {
    if (state.active) {
      return {
        next: { pendingSince: null, active: null, lastResolvedAt: now },
        transition: { kind: 'resolved', alert: state.active, resolvedAt: now, value: obs?.value ?? null },
        wakeAt: null,
      };
    }
    return { next: { ...state, pendingSince: null }, transition: null, wakeAt: obs?.holdsFrom ?? null };
  }
  if (state.active) return { next: state, transition: null, wakeAt: null };
  const pendingSince = state.pendingSince ?? now;
  const due = Math.max(pendingSince + rule.forSeconds * 1000, (state.lastResolvedAt ?? -Infinity) + rule.cooldownSeconds * 1000);
  if (now < due) return { next: { ...state, pendingSince }, transition: null, wakeAt: due };
  const alert: ActiveAlert = { id: newAlertId(), triggeredAt: now, acknowledgedAt: null, acknowledgedBy: null, value: obs.value };
  return {
    next: { pendingSince: null, active: alert, lastResolvedAt: state.lastResolvedAt },
    transition: { kind: 'triggered', alert },
    wakeAt: null,
  };
}
