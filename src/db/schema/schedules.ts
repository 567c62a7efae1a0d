import { foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { Activity } from '../../domain/people/attendance';
import { agents } from './agents';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/** A scheduled shift of an agent (docs/attendance.md): its span and the activities within it (the rest is on queue). */
export const shifts = pgTable(
  'shifts',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    agentId: text('agent_id').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    activities: jsonb('activities').$type<Activity[]>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      name: 'shifts_agent_fk',
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete('cascade'),
    index('shifts_agent_idx').on(t.tenantId, t.agentId, t.startsAt),
    index('shifts_start_idx').on(t.tenantId, t.startsAt),
    tenantIsolation(),
  ],
).enableRLS();
