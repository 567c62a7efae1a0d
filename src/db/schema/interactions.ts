import { sql } from 'drizzle-orm';
import { bigint, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { InteractionFacts } from '../../domain/calls/records';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { tenants } from './tenants';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/**
 * One customer contact (a call). Its facts are merged field by field from every Durable Object that
 * saw part of it: earliest start, latest end, first non-null otherwise — written only by outbox flushes.
 */
export const interactions = pgTable(
  'interactions',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    direction: text('direction'),
    /** HMAC-SHA256 of the caller's number under the tenant's salt: repeat-caller detection without the number. */
    callerHash: text('caller_hash'),
    callerMasked: text('caller_masked'),
    startedAt: ts('started_at'),
    endedAt: ts('ended_at'),
    hangupCause: text('hangup_cause'),
    endedBy: text('ended_by'),
    disposition: jsonb('disposition').$type<NonNullable<InteractionFacts['disposition']>>(),
    survey: jsonb('survey').$type<NonNullable<InteractionFacts['survey']>>(),
    ivr: jsonb('ivr').$type<{ selfServed: boolean; at: number }>(),
    /** The earliest instant any event of this interaction happened (start when no start event was seen). */
    firstEventAt: ts('first_event_at').notNull(),
    lastEventAt: ts('last_event_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    // With the id, a keyset page of GET /v1/calls (first event, id) is one index range, however many calls tie.
    index('interactions_first_event_idx').on(t.tenantId, t.firstEventAt, t.id),
    index('interactions_caller_idx').on(t.tenantId, t.callerHash),
    // KPI rollups find the calls whose IVR, disposition or survey (reported as events: at most the last event)
    // may fall in a recent bucket without a visit or segment there.
    index('interactions_quality_idx')
      .on(t.tenantId, t.lastEventAt)
      .where(sql`ivr IS NOT NULL OR disposition IS NOT NULL OR survey IS NOT NULL`),
    // Outbound attempts count where they started (KPI rollups and records: src/db/kpi-rollups.ts).
    index('interactions_outbound_started_idx')
      .on(t.tenantId, t.startedAt)
      .where(sql`direction = 'outbound' AND started_at IS NOT NULL`),
    tenantIsolation(),
  ],
).enableRLS();

export { ts as historyTimestamp };
export const msColumn = (name: string) => bigint(name, { mode: 'number' });
