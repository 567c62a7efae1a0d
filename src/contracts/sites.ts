import { z } from 'zod';
import { TimeZoneSchema } from '../domain/settings';
import { NameSchema, ResourceTimestamps } from './common';

export const SiteSchema = z
  .object({ id: z.string(), name: z.string(), timeZone: z.string().nullable(), ...ResourceTimestamps })
  .meta({ id: 'Site' });
export type Site = z.infer<typeof SiteSchema>;

export const SiteCreateSchema = z
  .strictObject({ name: NameSchema, timeZone: TimeZoneSchema.nullable().optional() })
  .meta({ id: 'SiteCreate' });
export const SitePatchSchema = SiteCreateSchema.partial().meta({ id: 'SitePatch' });
export type SiteCreate = z.infer<typeof SiteCreateSchema>;
export type SitePatch = z.infer<typeof SitePatchSchema>;
