import { doublePrecision, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { Answer, QaFormBody } from '../../domain/people/qa';
import { agents } from './agents';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { resourceColumns, resourceConstraints } from './resource-table';
import { tenants } from './tenants';

/** A quality evaluation form (docs/qa.md): its name; its questions are in its versions. */
export const qaForms = pgTable('qa_forms', { ...resourceColumns() }, (t) => resourceConstraints('qa_forms', t)).enableRLS();

/** Each published version of a form, never changed: an evaluation keeps the version it was made with. */
export const qaFormVersions = pgTable(
  'qa_form_versions',
  {
    tenantId: tenantIdColumn(),
    formId: text('form_id').notNull(),
    version: integer('version').notNull(),
    body: jsonb('body').$type<Omit<QaFormBody, 'name'>>().notNull(),
    createdAt: createdAt(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.formId, t.version] }),
    foreignKey({
      name: 'qa_form_versions_form_fk',
      columns: [t.tenantId, t.formId],
      foreignColumns: [qaForms.tenantId, qaForms.id],
    }).onDelete('cascade'),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * An evaluator's scoring of one call for one agent with one form version: a draft while it is edited, then
 * submitted (immutable), acknowledged or disputed by the agent, a dispute resolved by a supervisor.
 */
export const qaEvaluations = pgTable(
  'qa_evaluations',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    formId: text('form_id').notNull(),
    formVersion: integer('form_version').notNull(),
    interactionId: text('interaction_id').notNull(),
    agentId: text('agent_id').notNull(),
    /** `review` counts in the agent's QA score; `calibration` only compares evaluators. */
    purpose: text('purpose').notNull(),
    status: text('status').notNull(),
    evaluator: text('evaluator').notNull(),
    answers: jsonb('answers').$type<Record<string, Answer>>().notNull(),
    comment: text('comment'),
    score: doublePrecision('score'),
    numerator: doublePrecision('numerator'),
    denominator: doublePrecision('denominator'),
    criticalFailed: jsonb('critical_failed').$type<string[]>(),
    band: text('band'),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
    dispute: jsonb('dispute').$type<{ comment: string; at: string; by: string }>(),
    resolution: jsonb('resolution').$type<{
      outcome: 'upheld' | 'rescored';
      comment: string;
      at: string;
      by: string;
      previousScore: number;
    }>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    foreignKey({
      name: 'qa_evaluations_form_version_fk',
      columns: [t.tenantId, t.formId, t.formVersion],
      foreignColumns: [qaFormVersions.tenantId, qaFormVersions.formId, qaFormVersions.version],
    }),
    foreignKey({
      name: 'qa_evaluations_agent_fk',
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }),
    index('qa_evaluations_agent_idx').on(t.tenantId, t.agentId, t.submittedAt),
    index('qa_evaluations_interaction_idx').on(t.tenantId, t.interactionId),
    tenantIsolation(),
  ],
).enableRLS();
