import { type Period, periodIndex } from '../time/intervals';
import {
  type CallsMetricId,
  type FactMetricId,
  isPersonMetric,
  type MetricDefinition,
  type MetricScope,
  metricDefinition,
  type PersonMetricId,
} from './catalog';
import {
  computeByCategory,
  computeByReason,
  computeMetric,
  isByCategoryMetric,
  isByReasonMetric,
  type KpiPolicy,
  type MetricValue,
} from './compute';
import { type Cell, type CellDirection, type CellFacts, emptyFacts, mergeCells } from './facts';
import type { Contribution } from './people';
import type { RepeatCallerCounts, RepeatCallerVerdict } from './repeat-caller';

/** What a report's rows can be grouped by. */
export const GROUP_DIMENSIONS = ['queue', 'team', 'agent', 'site', 'direction'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** The key of each dimension in a row's `group`. */
export const GROUP_KEYS: Record<GroupDimension, string> = {
  queue: 'queueId',
  team: 'teamId',
  agent: 'agentId',
  site: 'siteId',
  direction: 'direction',
};

/** A cell of facts (its `direction` set when the source split them by direction). */
export type ReportCell = Cell;

/** `complete`, or `partial`: the period is still open, visits in it still wait, or state intervals are still open. */
export type MetricStatus = 'complete' | 'partial';

export type ReportValue = MetricValue & {
  status: MetricStatus;
  byReason?: Record<string, MetricValue>;
  /** Complaint metrics per complaint category of the policy. */
  byCategory?: Record<string, MetricValue>;
  /** `fcrRepeatCaller`: handled calls whose window is still open (in neither count). */
  pending?: number;
};

export interface ReportRow {
  start: number;
  end: number;
  group: Record<string, string | null>;
  metrics: Record<string, ReportValue>;
}

export interface ReportRequest {
  /**
   * Metrics computed from cell facts, `fcrRepeatCaller` (from `repeatCallers`), `attemptsPerNumber` (from
   * `attempts`) and person metrics (from `contributions`).
   */
  metrics: readonly (FactMetricId | CallsMetricId | PersonMetricId)[];
  /** Outbound attempts with a known number (its salted hash), each where it started: for `attemptsPerNumber`. */
  attempts?: readonly { startedAt: number; numberHash: string }[];
  /** Repeat-caller verdicts of the handled calls (src/domain/kpi/repeat-caller.ts), each where its last segment connected. */
  repeatCallers?: readonly {
    bucketStart: number;
    queueId: string;
    agentId: string;
    direction: CellDirection;
    verdict: RepeatCallerVerdict;
  }[];
  /** The people records' contributions to person metrics (people.ts), summed per period and group. */
  contributions?: readonly Contribution[];
  periods: readonly Period[];
  groupBy: readonly GroupDimension[];
  /** Queue metrics from queue × agent cells even when not grouped by person (a request filtered on people). */
  byPerson?: boolean;
  /** The policy of a queue's rows (null: rows not grouped by queue, the tenant's), request overrides applied. */
  policyFor(queueId: string | null): KpiPolicy;
  /** The team and site an agent belonged to at an instant (effective-dated). */
  membershipOf(agentId: string, at: number): { teamId: string | null; siteId: string | null };
  now: number;
}

/** Why a metric cannot be grouped so, or null: agent time is not per queue, IVR comes before queues and agents. */
export function groupingProblem(def: MetricDefinition, groupBy: readonly GroupDimension[]): string | null {
  if (def.scope === 'agent' && groupBy.includes('queue')) {
    return `${def.id} is agent time, which is not split by queue: group it by agent, team or site.`;
  }
  if (def.scope === 'agent' && groupBy.includes('direction')) {
    return `${def.id} is agent time, which has no call direction.`;
  }
  if (def.scope === 'tenant' && groupBy.some((d) => d !== 'direction')) {
    return `${def.id} happens before a call reaches a queue or an agent: it can be grouped by direction only.`;
  }
  return null;
}

/** Which cells a metric of a scope reads under a grouping (see `CellKey`). */
function readsCell(scope: MetricScope, byPerson: boolean, c: ReportCell): boolean {
  if (scope === 'tenant') return c.queueId === null && c.agentId === null;
  if (scope === 'agent') return c.queueId === null && c.agentId !== null;
  // Queue metrics: the queue's cells, or its queue × agent cells when rows are per agent, team or site.
  return c.queueId !== null && (byPerson ? c.agentId !== null : c.agentId === null);
}

/**
 * The rows of a report: for every period and every group seen in the cells (every period of every group, so
 * charts get their zeros), each metric computed from the merge of the cells that fall in it. A cell falls in
 * the period containing its bucket; a person's cell in the team and site of that bucket's start.
 */
export function buildReport(cells: readonly ReportCell[], req: ReportRequest): ReportRow[] {
  const byPerson = req.byPerson === true || req.groupBy.some((d) => d === 'agent' || d === 'team' || d === 'site');
  const scopes = new Set(req.metrics.filter((id) => !isPersonMetric(id)).map((id) => metricDefinition(id).scope));
  const groups = new Map<string, Record<string, string | null>>();
  // period index → group key → scope → the cells (merged once, below)
  const merged = new Map<number, Map<string, Map<MetricScope, ReportCell[]>>>();

  for (const c of cells) {
    const p = periodIndex(req.periods, c.bucketStart);
    if (p < 0) continue;
    for (const scope of scopes) {
      if (!readsCell(scope, byPerson, c)) continue;
      const group = groupOf(c, req);
      const key = JSON.stringify(group);
      if (!groups.has(key)) groups.set(key, group);
      const inPeriod = merged.get(p) ?? new Map<string, Map<MetricScope, ReportCell[]>>();
      merged.set(p, inPeriod);
      const inGroup = inPeriod.get(key) ?? new Map<MetricScope, ReportCell[]>();
      inPeriod.set(key, inGroup);
      const list = inGroup.get(scope) ?? [];
      list.push(c);
      inGroup.set(scope, list);
    }
  }
  // period index → group key → verdict counts, in the cells (queue, or queue × agent) queue metrics read.
  const repeats = new Map<number, Map<string, RepeatCallerCounts>>();
  for (const r of req.metrics.includes('fcrRepeatCaller') ? (req.repeatCallers ?? []) : []) {
    const p = periodIndex(req.periods, r.bucketStart);
    if (p < 0) continue;
    const cell = {
      bucketStart: r.bucketStart,
      queueId: r.queueId,
      agentId: byPerson ? r.agentId : null,
      direction: req.groupBy.includes('direction') ? r.direction : null,
    };
    const group = groupOf(cell as ReportCell, req);
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, group);
    const inPeriod = repeats.get(p) ?? new Map<string, RepeatCallerCounts>();
    repeats.set(p, inPeriod);
    const counts = inPeriod.get(key) ?? { resolved: 0, repeated: 0, pending: 0 };
    counts[r.verdict] += 1;
    inPeriod.set(key, counts);
  }
  // period index → group key → attempts and the distinct numbers they dialled (tenant cells: grouped by direction only).
  const dialled = new Map<number, Map<string, { attempts: number; numbers: Set<string> }>>();
  for (const a of req.metrics.includes('attemptsPerNumber') ? (req.attempts ?? []) : []) {
    const p = periodIndex(req.periods, a.startedAt);
    if (p < 0) continue;
    const cell = { bucketStart: a.startedAt, queueId: null, agentId: null, direction: 'outbound' } as ReportCell;
    const group = groupOf(cell, req);
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, group);
    const inPeriod = dialled.get(p) ?? new Map<string, { attempts: number; numbers: Set<string> }>();
    dialled.set(p, inPeriod);
    const d = inPeriod.get(key) ?? { attempts: 0, numbers: new Set<string>() };
    d.attempts += 1;
    d.numbers.add(a.numberHash);
    inPeriod.set(key, d);
  }
  // period index → group key → person metric → the summed contributions.
  const sums = new Map<number, Map<string, Map<PersonMetricId, { n: number; d: number; partial: boolean }>>>();
  for (const c of req.contributions ?? []) {
    if (!req.metrics.includes(c.metric)) continue;
    const p = periodIndex(req.periods, c.at);
    if (p < 0) continue;
    const group = groupOf({ bucketStart: c.at, queueId: null, agentId: c.agentId, direction: null } as ReportCell, req);
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, group);
    const inPeriod = sums.get(p) ?? new Map<string, Map<PersonMetricId, { n: number; d: number; partial: boolean }>>();
    sums.set(p, inPeriod);
    const inGroup = inPeriod.get(key) ?? new Map<PersonMetricId, { n: number; d: number; partial: boolean }>();
    inPeriod.set(key, inGroup);
    const sum = inGroup.get(c.metric) ?? { n: 0, d: 0, partial: false };
    sum.n += c.numerator;
    sum.d += c.denominator;
    sum.partial ||= c.partial === true;
    inGroup.set(c.metric, sum);
  }
  if (req.groupBy.length === 0 && groups.size === 0) groups.set('{}', {});

  const rows: ReportRow[] = [];
  const orderedGroups = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  req.periods.forEach((period, p) => {
    for (const [key, group] of orderedGroups) {
      const lists = merged.get(p)?.get(key);
      const facts = new Map<MetricScope, CellFacts>();
      // One cell (a day cell in a daily report) is read as it is; several are added into one accumulator.
      for (const [scope, list] of lists ?? []) facts.set(scope, mergeCells(list));
      let policy: KpiPolicy | undefined; // asked for only by metrics that have one
      const policyOf = () => {
        policy ??= req.policyFor(req.groupBy.includes('queue') ? (group.queueId ?? null) : null);
        return policy;
      };
      const metrics: Record<string, ReportValue> = {};
      for (const id of req.metrics) {
        if (id === 'fcrRepeatCaller') {
          const c = repeats.get(p)?.get(key) ?? { resolved: 0, repeated: 0, pending: 0 };
          const denominator = c.resolved + c.repeated;
          metrics[id] = {
            value: denominator === 0 ? null : c.resolved / denominator,
            numerator: c.resolved,
            denominator,
            unit: 'ratio',
            status: period.end > req.now || c.pending > 0 ? 'partial' : 'complete',
            pending: c.pending,
          };
          continue;
        }
        if (id === 'attemptsPerNumber') {
          const d = dialled.get(p)?.get(key);
          const numerator = d?.attempts ?? 0;
          const denominator = d?.numbers.size ?? 0;
          metrics[id] = {
            value: denominator === 0 ? null : numerator / denominator,
            numerator,
            denominator,
            unit: 'count',
            status: period.end > req.now ? 'partial' : 'complete',
          };
          continue;
        }
        if (isPersonMetric(id)) {
          metrics[id] = personValue(id, sums.get(p)?.get(key)?.get(id), period, req.now);
          continue;
        }
        const scope = metricDefinition(id).scope;
        const f = facts.get(scope) ?? emptyFacts();
        const value: ReportValue = { ...computeMetric(id, f, policyOf()), status: statusOf(scope, f, period, req.now) };
        if (isByReasonMetric(id)) value.byReason = computeByReason(id, f);
        if (isByCategoryMetric(id)) value.byCategory = computeByCategory(id, f, policyOf());
        metrics[id] = value;
      }
      rows.push({ start: period.start, end: period.end, group, metrics });
    }
  });
  return rows;
}

/** A person metric's value from its summed contributions: counts, totals and levels are the numerator. */
function personValue(
  id: PersonMetricId,
  sum: { n: number; d: number; partial: boolean } | undefined,
  period: Period,
  now: number,
): ReportValue {
  const def = metricDefinition(id);
  const n = sum?.n ?? 0;
  const d = sum?.d ?? 0;
  const counted = def.denominator === null;
  return {
    value: counted ? n : d === 0 ? null : n / d,
    numerator: n,
    denominator: counted ? null : d,
    unit: def.unit,
    status: period.end > now || sum?.partial ? 'partial' : 'complete',
  };
}

function statusOf(scope: MetricScope, f: CellFacts, period: Period, now: number): MetricStatus {
  if (period.end > now) return 'partial';
  if (scope === 'queue' && f.visits.waiting > 0) return 'partial';
  if (scope === 'agent' && f.states.open > 0) return 'partial';
  return 'complete';
}

function groupOf(c: ReportCell, req: ReportRequest): Record<string, string | null> {
  const group: Record<string, string | null> = {};
  const member =
    c.agentId !== null && (req.groupBy.includes('team') || req.groupBy.includes('site'))
      ? req.membershipOf(c.agentId, c.bucketStart)
      : null;
  for (const d of req.groupBy) {
    const key = GROUP_KEYS[d];
    if (d === 'queue') group[key] = c.queueId;
    else if (d === 'agent') group[key] = c.agentId;
    else if (d === 'team') group[key] = member?.teamId ?? null;
    else if (d === 'site') group[key] = member?.siteId ?? null;
    else group[key] = c.direction ?? 'unknown';
  }
  return group;
}
