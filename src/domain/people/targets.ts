import type { MetricUnit } from '../kpi/catalog';

/**
 * KPI targets (issue 10 §6), pure: which target applies to an agent (cascade centre → team → agent), a suggestion
 * for the next quarter from the last (the team's average a little on the easy side, rounded sensibly), and the
 * quarterly review (targets almost everyone met, or almost no one).
 */

export interface Target {
  metric: string;
  /** null for the centre's; a team's or an agent's otherwise (an agent's wins, then its team's). */
  teamId: string | null;
  agentId: string | null;
  value: number;
}

export type TargetSource = 'agent' | 'team' | 'center';

/** The target of a metric for an agent: its own, else its team's, else the centre's; null when none is set. */
export function targetFor(
  targets: readonly Target[],
  metric: string,
  who: { agentId: string; teamId: string | null },
): { value: number; from: TargetSource } | null {
  const of = targets.filter((t) => t.metric === metric);
  const own = of.find((t) => t.agentId === who.agentId);
  if (own) return { value: own.value, from: 'agent' };
  const team = who.teamId === null ? undefined : of.find((t) => t.agentId === null && t.teamId === who.teamId);
  if (team) return { value: team.value, from: 'team' };
  const center = of.find((t) => t.agentId === null && t.teamId === null);
  return center ? { value: center.value, from: 'center' } : null;
}

/** The step a suggested target is rounded to, in the metric's unit: whole seconds by 5, half a percentage point, half hours, tenths per hour, whole counts. */
export function roundingStep(unit: MetricUnit): number {
  return unit === 'ms' ? 5000 : unit === 'ratio' ? 0.005 : unit === 'hours' ? 0.5 : unit === 'perHour' ? 0.1 : 1;
}

/**
 * A target for next quarter from the agents' values of the last: their average, made easier by `marginPercent`
 * (below it where higher is better, above it where lower is), rounded to the unit's step towards the easier side
 * (a suggestion should never be harder than the margin says). Null without values.
 */
export function suggestTarget(
  values: readonly number[],
  opts: { higherIsBetter: boolean; unit: MetricUnit; marginPercent?: number },
): number | null {
  if (values.length === 0) return null;
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  const margin = (opts.marginPercent ?? 10) / 100;
  const raw = opts.higherIsBetter ? avg * (1 - margin) : avg * (1 + margin);
  const step = roundingStep(opts.unit);
  const steps = raw / step;
  // Towards the easier side; a tiny epsilon keeps 0.8 / 0.005 from landing on 159.99999.
  const rounded = (opts.higherIsBetter ? Math.floor(steps + 1e-9) : Math.ceil(steps - 1e-9)) * step;
  return opts.unit === 'ratio' ? Math.round(rounded * 1e6) / 1e6 : rounded;
}

export type TargetVerdict = 'too_easy' | 'too_hard' | 'fine';

/**
 * The quarterly review of a target against what the agents achieved: too easy when at least `easyShare` of them
 * met it, too hard when at most `hardShare` did; null values (no data) are left out.
 */
export function reviewTarget(
  target: number,
  achieved: readonly (number | null)[],
  opts: { higherIsBetter: boolean; easyShare?: number; hardShare?: number },
): { verdict: TargetVerdict; met: number; of: number } {
  const values = achieved.filter((v): v is number => v !== null);
  const met = values.filter((v) => (opts.higherIsBetter ? v >= target : v <= target)).length;
  const of = values.length;
  if (of === 0) return { verdict: 'fine', met, of };
  const share = met / of;
  const verdict = share >= (opts.easyShare ?? 0.9) ? 'too_easy' : share <= (opts.hardShare ?? 0.1) ? 'too_hard' : 'fine';
  return { verdict, met, of };
}
