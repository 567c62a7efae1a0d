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
