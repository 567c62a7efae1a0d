import { date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { AppraisalRuleBody } from '../../domain/appraisal/rules';
import type { AgentPeriod, AgentResult } from '../../domain/appraisal/score';
import { createdAt, tenantIdColumn, tenantIsolation } from './common';
import { resourceColumns, resourceConstraints } from './resource-table';
import { teams } from './teams';
import { tenants } from './tenants';

/** An appraisal rule (docs/appraisal.md): its name and scope; what it scores is in its versions. */
export const appraisalRules = pgTable(
  'appraisal_rules',
  {
    ...resourceColumns(),
    /** null: every agent of the tenant; else the agents of this team. */
    teamId: text('team_id'),
  },
  (t) => [
    ...resourceConstraints('appraisal_rules', t),
    foreignKey({
      name: 'appraisal_rules_team_fk',
      columns: [t.tenantId, t.teamId],
      foreignColumns: [teams.tenantId, teams.id],
    }),
  ],
).enableRLS();

/**
 * Each version of a rule, never changed once written: the categories, metrics, scoring and missing-data setting
 * in effect from a date on (until a later version's date). A period is scored with the version in effect on its
 * first day.
 */
export const appraisalRuleVersions = pgTable(
  'appraisal_rule_versions',
  {
    tenantId: tenantIdColumn(),
    ruleId: text('rule_id').notNull(),
    version: integer('version').notNull(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    body: jsonb('body').$type<Omit<AppraisalRuleBody, 'name'>>().notNull(),
    createdAt: createdAt(),
    /** The API key that wrote it. */
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.ruleId, t.version] }),
    foreignKey({
      name: 'appraisal_rule_versions_rule_fk',
      columns: [t.tenantId, t.ruleId],
      foreignColumns: [appraisalRules.tenantId, appraisalRules.id],
    }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * A rule run for a period (a month or a quarter): each agent's result, and the inputs it was computed from. While
 * open, running it again recomputes it; once closed it is frozen (later events, rule or roster changes do not touch
 * it) until it is explicitly re-opened.
 */
export const appraisals = pgTable(
  'appraisals',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    ruleId: text('rule_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    /** `2026-03` or `2026-Q1`. */
    period: text('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    status: text('status').notNull(),
    inputs: jsonb('inputs').$type<AgentPeriod[]>().notNull(),
    results: jsonb('results').$type<AgentResult[]>().notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true, mode: 'date' }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    foreignKey({
      name: 'appraisals_rule_version_fk',
      columns: [t.tenantId, t.ruleId, t.ruleVersion],
      foreignColumns: [appraisalRuleVersions.tenantId, appraisalRuleVersions.ruleId, appraisalRuleVersions.version],
    }),
    uniqueIndex('appraisals_rule_period_unique').on(t.tenantId, t.ruleId, t.period),
    tenantIsolation(),
  ],
).enableRLS();

/** Who changed what and when (`GET /v1/audit-log`): written in the transaction of the change itself. */
export const auditLog = pgTable(
  'audit_log',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    index('audit_log_resource_idx').on(t.tenantId, t.resourceType, t.resourceId, t.id),
    tenantIsolation(),
  ],
).enableRLS();
