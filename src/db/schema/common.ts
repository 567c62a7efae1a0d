import { sql } from 'drizzle-orm';
import { pgPolicy, text, timestamp } from 'drizzle-orm/pg-core';

/** The GUC the application sets per transaction (`set_config(..., true)`); RLS policies read it. */
export const TENANT_SETTING = 'app.tenant_id';

/**
 * Row-level security safety net: a row is visible and writable only inside a transaction whose
 * `app.tenant_id` equals its tenant. Without the setting `current_setting(..., true)` is NULL and
 * nothing matches. Applies to every role that does not own the table or has FORCE set (see the
 * force_rls migration), i.e. to the application role `callboard_app`.
 */
export function tenantIsolation(column = 'tenant_id') {
  const check = sql.raw(`${column} = current_setting('${TENANT_SETTING}', true)`);
  return pgPolicy('tenant_isolation', { as: 'permissive', for: 'all', using: check, withCheck: check });
}

export const tenantIdColumn = () => text('tenant_id').notNull();

export const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
export const archivedAt = () => timestamp('archived_at', { withTimezone: true, mode: 'date' });
