import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { TenantSettings } from '../../domain/settings';
import { createdAt, tenantIsolation, updatedAt } from './common';

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    settings: jsonb('settings').$type<TenantSettings>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  () => [tenantIsolation('id')],
).enableRLS();
