import { sql } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { TenantSettingsSchema } from '../../domain/settings';
import { createdAt, jsonbOf, tenantIsolation, updatedAt } from './common';

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    settings: jsonbOf('settings', TenantSettingsSchema).notNull(),
    /** Key of the caller hashes (HMAC-SHA256); never leaves Callboard. */
    callerSalt: text('caller_salt').notNull().default(sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  () => [tenantIsolation('id')],
).enableRLS();
