import { date, foreignKey, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { CampaignPolicy } from '../../domain/outbound/policy';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * An outbound campaign and its contact policy (docs/outbound.md): calling windows in the callee's local time,
 * attempt caps, the minimum gap. The tenant's OutboundDO holds a mirror, written through on every change: the
 * dialer's checks never read Postgres.
 */
export const outboundCampaigns = pgTable(
  'outbound_campaigns',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    policy: jsonb('policy').$type<CampaignPolicy>().notNull(),
    archivedAt: ts('archived_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();

/** The tenant's do-not-call list: numbers only as the salted hash (the tenant's caller salt) and a masked form. */
export const outboundDoNotCall = pgTable(
  'outbound_do_not_call',
  {
    tenantId: tenantIdColumn(),
    numberHash: text('number_hash').notNull(),
    masked: text('masked').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.numberHash] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();

/** Days on which no campaign of the tenant calls anyone, as dates in the callee's local time. */
export const outboundQuietDays = pgTable(
  'outbound_quiet_days',
  {
    tenantId: tenantIdColumn(),
    day: date('day', { mode: 'string' }).notNull(),
    name: text('name'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.day] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();
