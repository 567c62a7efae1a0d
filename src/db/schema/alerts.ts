import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { AlertCondition, AlertForecast, AlertScope } from '../../domain/alerts/rules';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { resourceColumns, resourceConstraints } from './resource-table';
import { tenants } from './tenants';

/** An alert rule (docs/alerts.md): the source of record; the tenant's live hub holds the copy it evaluates. */
export const alertRules = pgTable(
  'alert_rules',
  {
    ...resourceColumns(),
    enabled: boolean('enabled').notNull().default(true),
    severity: text('severity').notNull(),
    scope: jsonb('scope').$type<AlertScope>().notNull(),
    condition: jsonb('condition').$type<AlertCondition>().notNull(),
    forSeconds: integer('for_seconds').notNull().default(0),
    cooldownSeconds: integer('cooldown_seconds').notNull().default(300),
    /** Anomaly rules: the normal value per 15-minute slot of the week, computed from the rollups. */
    baseline: jsonb('baseline').$type<(number | null)[]>(),
    baselineComputedAt: timestamp('baseline_computed_at', { withTimezone: true, mode: 'date' }),
    /** Anomaly rules: the forecast's prediction intervals per 15 minutes ahead, computed with the baseline. */
    forecast: jsonb('forecast').$type<AlertForecast>(),
  },
  (t) => resourceConstraints('alert_rules', t, false),
).enableRLS();

/**
 * Every alert the hub raised, as it went: triggered, acknowledged, resolved. Written through the hub's outbox
 * (a row's version only grows: a replayed flush never takes an alert back to an earlier status).
 */
export const alerts = pgTable(
  'alerts',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    ruleId: text('rule_id').notNull(),
    ruleName: text('rule_name').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    scope: jsonb('scope').$type<AlertScope>().notNull(),
    subject: text('subject').notNull(),
    agentId: text('agent_id'),
    condition: jsonb('condition').$type<AlertCondition>().notNull(),
    value: doublePrecision('value'),
    resolvedValue: doublePrecision('resolved_value'),
    triggeredAt: timestamp('triggered_at', { withTimezone: true, mode: 'date' }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    version: integer('version').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    index('alerts_triggered_idx').on(t.tenantId, t.triggeredAt),
    index('alerts_open_idx').on(t.tenantId, t.status).where(sql`status <> 'resolved'`),
    tenantIsolation(),
  ],
).enableRLS();
