import { foreignKey, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { ApiKeyLimit, ApiKeyScope, RateLimitPolicy } from '../../domain/api-keys';
import { createdAt, tenantIdColumn, tenantIsolation } from './common';
import { tenants } from './tenants';

export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** SHA-256 (hex) of the full key; the key itself is shown once and never stored. */
    hash: text('hash').notNull(),
    /** The first characters of the key, enough to recognise it in a list. */
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().$type<ApiKeyScope[]>().notNull(),
    rateLimit: jsonb('rate_limit').$type<RateLimitPolicy>(),
    /** null: the whole tenant; else the one team or agent the key sees (issue 10 §7). */
    limit: jsonb('limit').$type<ApiKeyLimit>(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
    /** `platform` or the id of the admin key that created it. */
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();
