import { sql } from 'drizzle-orm';
import { customType, pgPolicy, text, timestamp } from 'drizzle-orm/pg-core';
import type { z } from 'zod';

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

/**
 * A jsonb column read back through its zod schema: values come out checked and with their keys in
 * schema order (jsonb itself reorders keys), and a row that does not fit fails loudly.
 */
export function jsonbOf<S extends z.ZodType>(name: string, schema: S) {
  return customType<{ data: z.infer<S>; driverData: unknown }>({
    dataType: () => 'jsonb',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => schema.parse(typeof value === 'string' ? JSON.parse(value) : value),
  })(name);
}
