import { z } from 'zod';
import { TenantSettingsPatchSchema, TenantSettingsSchema } from '../domain/settings';
import { CreatedApiKeySchema } from './api-keys';
import { NameSchema, Timestamp } from './common';

export const TenantSchema = z
  .object({ id: z.string(), name: z.string(), settings: TenantSettingsSchema, createdAt: Timestamp, updatedAt: Timestamp })
  .meta({ id: 'Tenant' });
export type Tenant = z.infer<typeof TenantSchema>;

export const TenantCreateSchema = z
  .strictObject({ name: NameSchema, settings: TenantSettingsPatchSchema.optional() })
  .meta({ id: 'TenantCreate' });
export type TenantCreate = z.infer<typeof TenantCreateSchema>;

export const CreatedTenantSchema = z
  .object({ tenant: TenantSchema, apiKey: CreatedApiKeySchema.describe('The first admin key. Shown once.') })
  .meta({ id: 'CreatedTenant' });
export type CreatedTenant = z.infer<typeof CreatedTenantSchema>;
