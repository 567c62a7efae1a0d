import { z } from 'zod';
import { isMetricId, metricDefinition } from '../kpi/catalog';
import { sum, sumsToHundred } from '../weights';

/**
 * Appraisal rules (考核): how a tenant scores its agents over a period — categories (attendance, attitude,
 * efficiency, learning by default) weighted to 100 %, each holding catalog metrics weighted to 100 % within it,
 * each metric scored linearly between a worst and a best value or by bands, against targets that are absolute or
 * relative to the team's average. One schema is the contract of the API and of the scoring (`score.ts`).
 */

/** A value a rule names: a number in the metric's unit (ms, 0..1, a count), the metric's target, or the team's average shifted by a percentage. */
export const BoundSchema = z
  .union([
    z.number().finite(),
    z.literal('target'),
    z.strictObject({
      teamAverage: z.strictObject({
        offsetPercent: z
          .number()
          .min(-100)
          .max(100)
          .default(0)
          .describe(
            'e.g. -10: the team average minus 10 % (for a metric where higher is better, a target a little below the average).',
          ),
      }),
    }),
  ])
  .meta({ id: 'AppraisalBound' });
export type Bound = z.infer<typeof BoundSchema>;

export const ScoringSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('linear'),
      worst: BoundSchema.describe('The value that earns no points.'),
      best: BoundSchema.describe('The value that earns all the metric’s points; beyond it, no more.'),
    }),
    z.strictObject({
      type: z.literal('bands'),
      bands: z
        .array(
          z.strictObject({ from: BoundSchema, points: z.number().min(0).max(100).describe('Percent of the metric’s points.') }),
        )
        .min(1)
        .max(20)
        .describe(
          'In the metric’s better-first order: the first band the value reaches (at least `from` where higher is better, at most where lower is) gives its points; none reached: 0.',
        ),
    }),
  ])
  .meta({ id: 'AppraisalScoring' });
export type Scoring = z.infer<typeof ScoringSchema>;

export const AppraisalMetricSchema = z
  .strictObject({
    metric: z.string().min(1).max(64).describe('A metric of `GET /v1/kpis/catalog`.'),
    weight: z.number().min(0).max(100).describe('Percent of its category; the metrics of a category sum to 100.'),
    target: BoundSchema.optional().describe('Shown and explained; `"target"` in the scoring refers to it.'),
    scoring: ScoringSchema,
    minDenominator: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('Fewer calls (or sessions…) than this: the metric is incomplete for the agent, not zero.'),
    warnings: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(0)
      .describe('Count metrics (late arrivals, say): the first N in a period only warn and cost nothing.'),
  })
  .meta({ id: 'AppraisalMetric' });
export type AppraisalMetric = z.infer<typeof AppraisalMetricSchema>;

export const AppraisalCategorySchema = z
  .strictObject({
    id: z.string().min(1).max(40).describe('e.g. attendance, attitude, efficiency, learning.'),
    weight: z.number().min(0).max(100).describe('Percent of the total; the categories sum to 100.'),
    metrics: z.array(AppraisalMetricSchema).min(1).max(30),
    gate: z
      .enum(['critical_qa_fail'])
      .optional()
      .describe('`critical_qa_fail`: an agent with a failed critical QA item in the period scores 0 in this category.'),
  })
  .meta({ id: 'AppraisalCategory' });
export type AppraisalCategory = z.infer<typeof AppraisalCategorySchema>;

export const AppraisalRuleBodySchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    categories: z.array(AppraisalCategorySchema).min(1).max(10),
    missingData: z
      .enum(['reweight', 'withhold'])
      .default('reweight')
      .describe(
        '`reweight`: an incomplete metric (or category) drops out and the others share its weight; `withhold`: any incomplete metric leaves the total unscored.',
      ),
  })
  .meta({ id: 'AppraisalRuleBody' });
export type AppraisalRuleBody = z.infer<typeof AppraisalRuleBodySchema>;

export interface RuleIssue {
  pointer: string;
  detail: string;
}

/**
 * What is wrong with a rule, each with a JSON pointer into it (empty: it can be used). Beyond its shape: weights
 * that do not sum to 100, metrics the catalog does not know or that have no better direction (a volume), a linear
 * scale whose absolute ends contradict the metric's direction, bands out of order, `"target"` without a target,
 * a category named twice.
 */
export function appraisalRuleProblems(rule: AppraisalRuleBody): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (!sumsToHundred(rule.categories.map((c) => c.weight))) {
    issues.push({
      pointer: '/categories',
      detail: `category weights sum to ${sum(rule.categories.map((c) => c.weight))}, not 100`,
    });
  }
  const seen = new Set<string>();
  rule.categories.forEach((c, i) => {
    const at = `/categories/${i}`;
    if (seen.has(c.id)) issues.push({ pointer: `${at}/id`, detail: `category ${c.id} appears twice` });
    seen.add(c.id);
    if (!sumsToHundred(c.metrics.map((m) => m.weight))) {
      issues.push({
        pointer: `${at}/metrics`,
        detail: `metric weights of ${c.id} sum to ${sum(c.metrics.map((m) => m.weight))}, not 100`,
      });
    }
    for (const [j, m] of c.metrics.entries()) issues.push(...metricProblems(m, `${at}/metrics/${j}`));
  });
  return issues;
}

function metricProblems(m: AppraisalMetric, at: string): RuleIssue[] {
  if (!isMetricId(m.metric)) return [{ pointer: `${at}/metric`, detail: `${m.metric} is not a metric of the catalog` }];
  const def = metricDefinition(m.metric);
  if (def.higherIsBetter === null) {
    return [
      { pointer: `${at}/metric`, detail: `${m.metric} is a volume: neither more nor less is better, so it cannot be scored` },
    ];
  }
  const issues: RuleIssue[] = [];
  const refersToTarget = (b: Bound) => b === 'target';
  const bounds = m.scoring.type === 'linear' ? [m.scoring.worst, m.scoring.best] : m.scoring.bands.map((b) => b.from);
  if (m.target === undefined && bounds.some(refersToTarget)) {
    issues.push({ pointer: `${at}/target`, detail: 'the scoring refers to "target" but the metric has none' });
  }
  if (m.target === 'target') issues.push({ pointer: `${at}/target`, detail: 'a target cannot be itself' });
  const abs = (b: Bound | undefined) =>
    typeof b === 'number' ? b : b === 'target' && typeof m.target === 'number' ? m.target : null;
  if (m.scoring.type === 'linear') {
    const worst = abs(m.scoring.worst);
    const best = abs(m.scoring.best);
    if (worst !== null && best !== null) {
      if (worst === best) issues.push({ pointer: `${at}/scoring`, detail: 'worst and best are the same value' });
      else if (def.higherIsBetter !== best > worst) {
        issues.push({
          pointer: `${at}/scoring`,
          detail: `for ${m.metric} ${def.higherIsBetter ? 'higher' : 'lower'} is better, so best must be ${def.higherIsBetter ? 'above' : 'below'} worst`,
        });
      }
    }
  } else {
    const values = m.scoring.bands.map((b) => abs(b.from));
    for (let k = 1; k < values.length; k++) {
      const prev = values[k - 1];
      const cur = values[k];
      if (prev === null || prev === undefined || cur === null || cur === undefined) continue;
      if (def.higherIsBetter ? cur > prev : cur < prev) {
        issues.push({ pointer: `${at}/scoring/bands/${k}/from`, detail: 'bands go from the best to the worst' });
      }
    }
  }
  if (m.warnings > 0 && def.unit !== 'count') {
    issues.push({ pointer: `${at}/warnings`, detail: 'warnings forgive occurrences: only count metrics have them' });
  }
  return issues;
}
