import { sql } from 'drizzle-orm';
import { check, pgTable, text } from 'drizzle-orm/pg-core';
import { TenantSettingsSchema } from '../../domain/settings';
import { createdAt, jsonbOf, tenantIsolation, updatedAt } from './common';

export type TenantHome = 'home' | 'moving' | 'moved' | 'incoming';

export const tenants = pgTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    settings: jsonbOf('settings', TenantSettingsSchema).notNull(),
    /** Key of the caller hashes (HMAC-SHA256); never leaves Callboard. */
    callerSalt: text('caller_salt').notNull().default(sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`),
    /**
     * Whether this database holds the tenant's data (docs/dedicated-databases.md): `home`; `moving` while it is
     * copied elsewhere (transactions read only); `moved` once it lives in another database; `incoming` while it
     * is copied here. Every transaction reads it under a shared advisory lock (`callboard_enter_tenant`).
     */
    home: text('home').$type<TenantHome>().notNull().default('home'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [tenantIsolation('id'), check('tenants_home', sql`${t.home} IN ('home', 'moving', 'moved', 'incoming')`)],
).enableRLS();
