import { type MetricId, type MetricUnit, metricDefinition } from '../kpi/catalog';
import type { AppraisalMetric, AppraisalRuleBody, Bound } from './rules';

/**
 * Scores agents over a period under an appraisal rule (pure: the numbers come from the KPI catalog, per agent).
 * Each metric earns points between its worst and best value (or by bands), each category is the weighted share of
 * its metrics' points (0..100), the total the weighted sum of the categories; an incomplete metric (no value, or
 * fewer calls than its minimum) is left out and the others share its weight, or withholds the total (the rule
 * says which). Every number comes with a sentence a supervisor can read.
 */

export interface MetricSample {
  value: number | null;
  numerator: number;
  denominator: number | null;
}

export interface AgentPeriod {
  agentId: string;
  teamId: string | null;
  /** The period's value of each metric the rule names (from `/v1/kpis` grouped by agent). */
  metrics: Partial<Record<string, MetricSample>>;
  /** QA evaluations in the period with a failed critical item (gates a category to 0). */
  criticalQaFails?: number;
}

export interface MetricResult {
  category: string;
  metric: string;
  value: number | null;
  target: number | null;
  /** Points earned and the most it could earn: its weight within the category (percent). */
  points: number | null;
  maxPoints: number;
  status: 'scored' | 'incomplete';
  /** Occurrences forgiven as warnings. */
  warned: number;
  explanation: string;
}

export interface CategoryResult {
  id: string;
  weight: number;
  /** 0..100; null when nothing in it could be scored (or the rule withholds it). */
  score: number | null;
  gated: boolean;
}

export interface AgentResult {
  agentId: string;
  teamId: string | null;
  /** 0..100, two decimals; null when withheld. */
  total: number | null;
  status: 'complete' | 'reweighted' | 'withheld';
  categories: CategoryResult[];
  metrics: MetricResult[];
  /** Competition ranking (1, 2, 2, 4) by total within the team and the tenant; null without a total. */
  rankInTeam: number | null;
  rankInTenant: number | null;
  explanation: string[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** A value in its unit, as a person reads it. */
export function formatValue(value: number, unit: MetricUnit): string {
  if (unit === 'ms') return `${Math.round(value / 1000)} s`;
  if (unit === 'ratio') return `${(Math.round(value * 1000) / 10).toFixed(1)} %`;
  if (unit === 'hours') return `${Math.round(value * 10) / 10} h`;
  if (unit === 'perHour') return `${Math.round(value * 100) / 100} /h`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function scoreAppraisal(rule: AppraisalRuleBody, agents: readonly AgentPeriod[]): AgentResult[] {
  const averages = new Map<string, number | null>();
  /** The mean of the complete values of a metric among an agent's team (the whole tenant for an agent without one). */
  const teamAverage = (m: AppraisalMetric, teamId: string | null): number | null => {
    const key = `${m.metric}|${teamId ?? ''}`;
    if (!averages.has(key)) {
      const values = agents
        .filter((a) => teamId === null || a.teamId === teamId)
        .map((a) => a.metrics[m.metric])
        .filter((s): s is MetricSample => s !== undefined && complete(m, s))
        .map((s) => s.value as number);
      averages.set(key, values.length === 0 ? null : values.reduce((x, y) => x + y, 0) / values.length);
    }
    return averages.get(key) ?? null;
  };
  const resolve = (b: Bound | undefined, m: AppraisalMetric, teamId: string | null, target: number | null): number | null => {
    if (b === undefined) return null;
    if (typeof b === 'number') return b;
    if (b === 'target') return target;
    const avg = teamAverage(m, teamId);
    return avg === null ? null : avg * (1 + b.teamAverage.offsetPercent / 100);
  };

  const results = agents.map((agent): AgentResult => {
    const metrics: MetricResult[] = [];
    const categories: CategoryResult[] = [];
    let anyIncomplete = false;
    for (const c of rule.categories) {
      const gated = c.gate === 'critical_qa_fail' && (agent.criticalQaFails ?? 0) > 0;
      let earned = 0;
      let weighed = 0;
      for (const m of c.metrics) {
        const r = scoreMetric(c.id, m, agent.metrics[m.metric], (b, target) => resolve(b, m, agent.teamId, target));
        metrics.push(r);
        if (r.status === 'incomplete') {
          anyIncomplete = true;
          continue;
        }
        earned += r.points ?? 0;
        weighed += m.weight;
      }
      const score = gated ? 0 : weighed === 0 ? null : round2((earned / weighed) * 100);
      categories.push({ id: c.id, weight: c.weight, score, gated });
    }
    const scored = categories.filter((c) => c.score !== null);
    const weight = scored.reduce((n, c) => n + c.weight, 0);
    const withheld = rule.missingData === 'withhold' && anyIncomplete;
    const total =
      withheld || weight === 0 ? null : round2(scored.reduce((n, c) => n + (c.score as number) * c.weight, 0) / weight);
    const status = total === null ? 'withheld' : anyIncomplete ? 'reweighted' : 'complete';
    const explanation = [
      ...categories.map((c) =>
        c.gated
          ? `${c.id}: 0 — a critical QA item failed in the period`
          : c.score === null
            ? `${c.id}: not scored (no metric of it had enough data)`
            : `${c.id}: ${c.score} of 100, weighing ${c.weight} %`,
      ),
      ...metrics.map((m) => m.explanation),
      total === null
        ? withheld
          ? 'Total withheld: the rule scores no one with missing data.'
          : 'Total not scored: no category had data.'
        : status === 'reweighted'
          ? `Total ${total} of 100; metrics without enough data were left out and the others weigh more.`
          : `Total ${total} of 100.`,
    ];
    return {
      agentId: agent.agentId,
      teamId: agent.teamId,
      total,
      status,
      categories,
      metrics,
      rankInTeam: null,
      rankInTenant: null,
      explanation,
    };
  });
  const inTenant = ranks(results, () => '');
  const inTeam = ranks(results, (r) => r.teamId ?? '');
  for (const r of results) {
    r.rankInTenant = inTenant.get(r) ?? null;
    r.rankInTeam = inTeam.get(r) ?? null;
  }
  return results;
}

const complete = (m: AppraisalMetric, s: MetricSample | undefined): boolean =>
  s !== undefined && s.value !== null && (s.denominator === null || s.denominator >= m.minDenominator);

function scoreMetric(
  category: string,
  m: AppraisalMetric,
  sample: MetricSample | undefined,
  resolve: (b: Bound | undefined, target: number | null) => number | null,
): MetricResult {
  const def = metricDefinition(m.metric as MetricId);
  const target = resolve(m.target, null);
  const base = { category, metric: m.metric, target, maxPoints: m.weight };
  const label = def.label;
  if (!complete(m, sample)) {
    const why =
      sample?.value == null ? 'no value in the period' : `over ${sample.denominator} (at least ${m.minDenominator} needed)`;
    return {
      ...base,
      value: sample?.value ?? null,
      points: null,
      status: 'incomplete',
      warned: 0,
      explanation: `${label}: incomplete, ${why}`,
    };
  }
  const raw = sample?.value as number;
  const warned = m.warnings > 0 ? Math.min(raw, m.warnings) : 0;
  const value = raw - warned;
  let fraction: number | null;
  if (m.scoring.type === 'linear') {
    const worst = resolve(m.scoring.worst, target);
    const best = resolve(m.scoring.best, target);
    fraction = worst === null || best === null || worst === best ? null : clamp01((value - worst) / (best - worst));
  } else {
    fraction = 0;
    for (const band of m.scoring.bands) {
      const from = resolve(band.from, target);
      if (from === null) {
        fraction = null;
        break;
      }
      if (def.higherIsBetter ? value >= from : value <= from) {
        fraction = band.points / 100;
        break;
      }
    }
  }
  if (fraction === null) {
    return {
      ...base,
      value: raw,
      points: null,
      status: 'incomplete',
      warned,
      explanation: `${label}: incomplete, no team average to compare with`,
    };
  }
  const points = round2(fraction * m.weight);
  const against = target === null ? '' : ` against a target of ${formatValue(target, def.unit)}`;
  const warning = warned > 0 ? ` (the first ${warned} only warned: counted as ${formatValue(value, def.unit)})` : '';
  return {
    ...base,
    value: raw,
    points,
    status: 'scored',
    warned,
    explanation: `${label} ${formatValue(raw, def.unit)}${against}${warning}: ${points} of ${m.weight} points`,
  };
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

/** Competition ranking (1, 2, 2, 4) by total, highest first, within each group; an agent without a total has none. */
function ranks(results: readonly AgentResult[], group: (r: AgentResult) => string): Map<AgentResult, number> {
  const groups = new Map<string, AgentResult[]>();
  for (const r of results) {
    if (r.total === null) continue;
    const g = groups.get(group(r)) ?? [];
    g.push(r);
    groups.set(group(r), g);
  }
  const out = new Map<AgentResult, number>();
  for (const g of groups.values()) {
    g.sort((a, b) => (b.total as number) - (a.total as number));
    let rank = 0;
    g.forEach((r, i) => {
      if (i === 0 || g[i - 1]?.total !== r.total) rank = i + 1;
      out.set(r, rank);
    });
  }
  return out;
}
