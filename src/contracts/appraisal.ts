import { z } from 'zod';
import { AppraisalRuleBodySchema } from '../domain/appraisal/rules';
import { LocalDate, NameSchema, Timestamp } from './common';

const effectiveFrom = LocalDate.describe(
  'The first day this version applies to, in the tenant’s time zone; a period is scored with the version in effect on its first day.',
);
const teamId = z
  .string()
  .min(1)
  .max(64)
  .nullable()
  .describe('The team whose agents the rule appraises; null: every agent of the tenant.');

export const AppraisalRuleCreateSchema = AppraisalRuleBodySchema.extend({
  name: NameSchema,
  teamId: teamId.default(null),
  effectiveFrom,
}).meta({ id: 'AppraisalRuleCreate' });
export type AppraisalRuleCreate = z.infer<typeof AppraisalRuleCreateSchema>;

export const AppraisalRuleVersionCreateSchema = AppraisalRuleBodySchema.omit({ name: true })
  .extend({ effectiveFrom })
  .meta({ id: 'AppraisalRuleVersionCreate' });
export type AppraisalRuleVersionCreate = z.infer<typeof AppraisalRuleVersionCreateSchema>;

export const AppraisalRulePatchSchema = z
  .strictObject({ name: NameSchema.optional(), teamId: teamId.optional() })
  .meta({ id: 'AppraisalRulePatch' });
export type AppraisalRulePatch = z.infer<typeof AppraisalRulePatchSchema>;

export const AppraisalRuleVersionSchema = AppraisalRuleBodySchema.omit({ name: true })
  .extend({
    version: z.number().int().min(1),
    effectiveFrom,
    createdAt: Timestamp,
    createdBy: z.string().describe('The API key that wrote it.'),
  })
  .meta({ id: 'AppraisalRuleVersion' });
export type AppraisalRuleVersionOut = z.infer<typeof AppraisalRuleVersionSchema>;

export const AppraisalRuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    teamId: z.string().nullable(),
    current: AppraisalRuleVersionSchema.describe('The newest version (or, with `?at=`, the one in effect that day).'),
    versions: z
      .array(AppraisalRuleVersionSchema.pick({ version: true, effectiveFrom: true, createdAt: true, createdBy: true }))
      .describe('Every version, oldest first.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'AppraisalRule' });
export type AppraisalRuleOut = z.infer<typeof AppraisalRuleSchema>;

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor: z.string().describe('The API key that made the change.'),
    action: z.string().describe('e.g. `appraisal_rule.created`, `appraisal_rule.version_added`.'),
    resourceType: z.string(),
    resourceId: z.string(),
    details: z.record(z.string(), z.unknown()).describe('What changed: the version written, the fields before and after.'),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AppraisalPeriodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'A month (2026-03) or a quarter (2026-Q1).')
  .describe('A month (`2026-03`) or a quarter (`2026-Q1`), in the tenant’s time zone.');

export const AppraisalRunSchema = z
  .strictObject({ ruleId: z.string().min(1).max(64), period: AppraisalPeriodSchema })
  .meta({ id: 'AppraisalRun' });
export type AppraisalRun = z.infer<typeof AppraisalRunSchema>;

export const AppraisalReopenSchema = z
  .strictObject({
    reason: z.string().trim().min(1).max(1000).describe('Why the closed results are opened again (kept in the audit log).'),
  })
  .meta({ id: 'AppraisalReopen' });

const MetricResultSchema = z.object({
  category: z.string(),
  metric: z.string(),
  value: z.number().nullable().describe('The agent’s value over the period, in the metric’s unit.'),
  target: z.number().nullable(),
  points: z.number().nullable().describe('Points earned, out of `maxPoints` (the metric’s weight within its category).'),
  maxPoints: z.number(),
  status: z.enum(['scored', 'incomplete']),
  warned: z.number().int().describe('Occurrences forgiven as warnings.'),
  explanation: z.string().describe('e.g. "AHT 312 s against a target of 280 s: 6 of 10 points".'),
});

export const AgentAppraisalSchema = z
  .object({
    agentId: z.string(),
    teamId: z.string().nullable(),
    total: z.number().nullable().describe('0..100; null when withheld.'),
    status: z.enum(['complete', 'reweighted', 'withheld']),
    categories: z.array(z.object({ id: z.string(), weight: z.number(), score: z.number().nullable(), gated: z.boolean() })),
    metrics: z.array(MetricResultSchema),
    rankInTeam: z.number().int().nullable(),
    rankInTenant: z.number().int().nullable(),
    explanation: z.array(z.string()),
  })
  .meta({ id: 'AgentAppraisal' });

export const AppraisalSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    ruleVersion: z.number().int().describe('The version in effect on the period’s first day.'),
    period: z.string(),
    from: z.string().describe('First day.'),
    to: z.string().describe('First day after (exclusive).'),
    status: z.enum(['open', 'closed']).describe('`closed`: frozen — running it again answers these results unchanged.'),
    computedAt: Timestamp,
    closedAt: Timestamp.nullable(),
    results: z.array(AgentAppraisalSchema).describe('One per agent the rule covers, best first.'),
  })
  .meta({ id: 'Appraisal' });
export type AppraisalOut = z.infer<typeof AppraisalSchema>;
