import { date, doublePrecision, foreignKey, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { agents } from './agents';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';

/**
 * A training an agent completed (issue 10 §4, the learning category of appraisal): the course, the day it was
 * completed, its hours and, when it ended in an exam, the score out of the exam's maximum. `trainingHours` and
 * `examScore` in the KPI catalog read these rows.
 */
export const trainingRecords = pgTable(
  'training_records',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    agentId: text('agent_id').notNull(),
    course: text('course').notNull(),
    /** The tenant's day (YYYY-MM-DD, in its time zone) the training was completed. */
    completedOn: date('completed_on', { mode: 'string' }).notNull(),
    hours: doublePrecision('hours').notNull(),
    /** null: no exam. */
    examScore: doublePrecision('exam_score'),
    examMaxScore: doublePrecision('exam_max_score').notNull().default(100),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'training_records_agent_fk',
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete('cascade'),
    index('training_records_day_idx').on(t.tenantId, t.completedOn),
    index('training_records_agent_idx').on(t.tenantId, t.agentId, t.completedOn),
    tenantIsolation(),
  ],
).enableRLS();
