import { z } from 'zod';
import { LocalDate, Timestamp } from './common';

const metric = z.string().min(1).max(64).describe('A metric of `GET /v1/kpis/catalog`.');
const value = z.number().finite().describe('In the metric’s unit: milliseconds for times, 0..1 for ratios, counts.');

export const TargetCreateSchema = z
  .strictObject({
    metric,
    teamId: z.string().min(1).max(64).nullable().default(null).describe('A team’s target (null: the centre’s, or an agent’s).'),
    agentId: z.string().min(1).max(64).nullable().default(null).describe('An agent’s own target (then `teamId` is null).'),
    value,
    validFrom: LocalDate.describe('First day, in the tenant’s time zone.'),
    validTo: LocalDate.nullable().default(null).describe('First day it no longer applies (exclusive); null: until changed.'),
  })
  .meta({ id: 'TargetCreate' });
export type TargetCreate = z.infer<typeof TargetCreateSchema>;

export const TargetPatchSchema = z
  .strictObject({ value: value.optional(), validTo: LocalDate.nullable().optional() })
  .meta({ id: 'TargetPatch' });
export type TargetPatch = z.infer<typeof TargetPatchSchema>;

export const TARGET_LEVELS = ['center', 'team', 'agent'] as const;

export const TargetSchema = z
  .object({
    id: z.string(),
    metric: z.string(),
    level: z.enum(TARGET_LEVELS),
    teamId: z.string().nullable(),
    agentId: z.string().nullable(),
    value: z.number(),
    validFrom: LocalDate,
    validTo: LocalDate.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Target' });
export type TargetOut = z.infer<typeof TargetSchema>;

export const EffectiveTargetSchema = z
  .object({
    metric: z.string(),
    agentId: z.string(),
    date: LocalDate,
    teamId: z.string().nullable().describe('The agent’s team that day.'),
    value: z.number().nullable().describe('null: no target applies.'),
    from: z.enum(TARGET_LEVELS).nullable().describe('Whose target it is: the agent’s own, its team’s, or the centre’s.'),
    targetId: z.string().nullable(),
  })
  .meta({ id: 'EffectiveTarget' });
export type EffectiveTarget = z.infer<typeof EffectiveTargetSchema>;

export const TargetSuggestRequestSchema = z
  .strictObject({
    metric,
    from: LocalDate.describe('First day of the period learned from (e.g. the last quarter’s).'),
    to: LocalDate.describe('Its end (exclusive).'),
    marginPercent: z
      .number()
      .min(0)
      .max(50)
      .default(10)
      .describe('How much easier than the average the suggestion is (below it where higher is better, above where lower is).'),
    teamIds: z.array(z.string().min(1).max(64)).max(100).optional().describe('Only these teams (default: every team).'),
  })
  .meta({ id: 'TargetSuggestRequest' });
export type TargetSuggestRequest = z.infer<typeof TargetSuggestRequestSchema>;

export const TargetSuggestionSchema = z
  .object({
    metric: z.string(),
    from: LocalDate,
    to: LocalDate,
    marginPercent: z.number(),
    suggestions: z.array(
      z.object({
        teamId: z.string().nullable().describe('null: the centre (every agent).'),
        agents: z.number().int().describe('Agents with a value in the period.'),
        average: z.number().nullable().describe('Their average of the metric (each agent counts once).'),
        suggested: z
          .number()
          .nullable()
          .describe('The average made easier by the margin, rounded to 5 s, half a point or a whole count.'),
      }),
    ),
  })
  .meta({ id: 'TargetSuggestion' });
export type TargetSuggestion = z.infer<typeof TargetSuggestionSchema>;

export const TargetReviewSchema = z
  .object({
    metric: z.string(),
    from: LocalDate,
    to: LocalDate,
    reviews: z.array(
      z.object({
        targetId: z.string(),
        level: z.enum(TARGET_LEVELS),
        teamId: z.string().nullable(),
        agentId: z.string().nullable(),
        value: z.number(),
        of: z.number().int().describe('Agents the target applied to (by the cascade) with a value in the period.'),
        met: z.number().int(),
        verdict: z
          .enum(['too_easy', 'too_hard', 'fine'])
          .describe('`too_easy`: at least 90 % of them met it; `too_hard`: at most 10 % did (no agents: `fine`).'),
      }),
    ),
  })
  .meta({ id: 'TargetReview' });
export type TargetReview = z.infer<typeof TargetReviewSchema>;
