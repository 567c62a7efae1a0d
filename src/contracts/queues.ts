import { z } from 'zod';
import { ServiceLevelOverridePatchSchema, ServiceLevelOverrideSchema, ServiceLevelPolicySchema } from '../domain/settings';
import { ExternalKeySchema, ExternalKeysSchema, NameSchema, ResourceTimestamps } from './common';

export const QueueSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    siteId: z.string().nullable(),
    serviceLevel: ServiceLevelOverrideSchema.nullable().describe("The queue's overrides of the tenant policy, or null."),
    effectiveServiceLevel: ServiceLevelPolicySchema.describe(
      'The policy that applies: tenant settings with the overrides on top.',
    ),
    externalKeys: z.array(ExternalKeySchema),
    ...ResourceTimestamps,
  })
  .meta({ id: 'Queue' });
export type Queue = z.infer<typeof QueueSchema>;

export const QueueCreateSchema = z
  .strictObject({
    name: NameSchema,
    siteId: z.string().min(1).max(64).nullable().optional(),
    serviceLevel: ServiceLevelOverrideSchema.nullable().optional(),
    externalKeys: ExternalKeysSchema.optional(),
  })
  .meta({ id: 'QueueCreate' });
export type QueueCreate = z.infer<typeof QueueCreateSchema>;

export const QueuePatchSchema = z
  .strictObject({
    name: NameSchema.optional(),
    siteId: z.string().min(1).max(64).nullable().optional(),
    serviceLevel: ServiceLevelOverridePatchSchema.nullable()
      .optional()
      .describe('Merged into the current overrides; a null field drops that override, null drops them all.'),
    externalKeys: ExternalKeysSchema.optional().describe('Replaces the whole list.'),
  })
  .meta({ id: 'QueuePatch' });
export type QueuePatch = z.infer<typeof QueuePatchSchema>;
