import { z } from 'zod';
import { ExternalKeySchema, ExternalKeysSchema, IdListSchema, LocalDate, NameSchema, ResourceTimestamps } from './common';

export const AgentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    teamId: z.string().nullable(),
    siteId: z.string().nullable(),
    queueIds: z.array(z.string()).describe('Queues the agent serves.'),
    externalKeys: z.array(ExternalKeySchema),
    hiredOn: LocalDate.nullable().describe('First day of employment (null: not given).'),
    leftOn: LocalDate.nullable().describe('The day after the last day of employment (null: still employed).'),
    ...ResourceTimestamps,
  })
  .meta({ id: 'Agent' });
export type Agent = z.infer<typeof AgentSchema>;

const ref = z.string().min(1).max(64).nullable().optional();

export const AgentCreateSchema = z
  .strictObject({
    name: NameSchema,
    email: z.email().max(254).nullable().optional(),
    teamId: ref,
    siteId: ref,
    queueIds: IdListSchema.optional(),
    externalKeys: ExternalKeysSchema.optional(),
    hiredOn: LocalDate.nullable().optional().describe('First day of employment: headcount and attrition (docs/people.md).'),
    leftOn: LocalDate.nullable().optional().describe('The day after the last day of employment (exclusive).'),
  })
  .meta({ id: 'AgentCreate' });
export const AgentPatchSchema = AgentCreateSchema.partial()
  .extend({
    effectiveFrom: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        'With `teamId` and/or `siteId`: the instant the move takes effect (default now; not in the future). History from then on ' +
          'counts for the new team or site, history before it stays with the old one — a retroactive move rewrites what followed.',
      ),
  })
  .meta({ id: 'AgentPatch' });
export type AgentCreate = z.infer<typeof AgentCreateSchema>;
export type AgentPatch = z.infer<typeof AgentPatchSchema>;

export const AgentMembershipSchema = z
  .object({
    from: z.iso.datetime().nullable().describe('Start of the period (inclusive); null: since the beginning.'),
    to: z.iso.datetime().nullable().describe('End of the period (exclusive); null: current.'),
    teamId: z.string().nullable(),
    siteId: z.string().nullable(),
  })
  .meta({ id: 'AgentMembership' });
export const AgentMembershipsSchema = z
  .object({ agentId: z.string(), periods: z.array(AgentMembershipSchema) })
  .meta({ id: 'AgentMemberships' });
export type AgentMemberships = z.infer<typeof AgentMembershipsSchema>;
