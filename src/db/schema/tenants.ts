import { pgTable, text } from 'drizzle-orm/pg-core';
import { TenantSettingsSchema } from '../../domain/settings';
import { createdAt, jsonbOf, tenantIsolation, updatedAt } from './common';

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    settings: jsonbOf('settings', TenantSettingsSchema).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  () => [tenantIsolation('id')],
).enableRLS();
