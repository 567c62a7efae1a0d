import { z } from 'zod';
import { NameSchema, ResourceTimestamps } from './common';

export const TeamSchema = z
  .object({ id: z.string(), name: z.string(), siteId: z.string().nullable(), ...ResourceTimestamps })
  .meta({ id: 'Team' });
export type Team = z.infer<typeof TeamSchema>;

export const TeamCreateSchema = z
  .strictObject({ name: NameSchema, siteId: z.string().min(1).max(64).nullable().optional() })
  .meta({ id: 'TeamCreate' });
export const TeamPatchSchema = TeamCreateSchema.partial().meta({ id: 'TeamPatch' });
export type TeamCreate = z.infer<typeof TeamCreateSchema>;
export type TeamPatch = z.infer<typeof TeamPatchSchema>;
