import { z } from 'zod';
import { ExternalKeySchema, ExternalKeysSchema, IdListSchema, NameSchema, ResourceTimestamps } from './common';

export const AgentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    teamId: z.string().nullable(),
    siteId: z.string().nullable(),
    queueIds: z.array(z.string()).describe('Queues the agent serves.'),
    externalKeys: z.array(ExternalKeySchema),
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
  })
  .meta({ id: 'AgentCreate' });
export const AgentPatchSchema = AgentCreateSchema.partial().meta({ id: 'AgentPatch' });
export type AgentCreate = z.infer<typeof AgentCreateSchema>;
export type AgentPatch = z.infer<typeof AgentPatchSchema>;
