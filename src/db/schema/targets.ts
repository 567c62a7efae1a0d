import { date, doublePrecision, foreignKey, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { agents } from './agents';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { teams } from './teams';
import { tenants } from './tenants';

/**
 * A KPI target (docs/targets.md): a metric's value for the centre (no team, no agent), a team or an agent, over days
 * `[valid_from, valid_to)`. An agent without its own target has its team's, else the centre's.
 */
export const targets = pgTable(
  'targets',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    metric: text('metric').notNull(),
    teamId: text('team_id'),
    agentId: text('agent_id'),
    value: doublePrecision('value').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    /** Exclusive; null: until further notice. */
    validTo: date('valid_to', { mode: 'string' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    foreignKey({ name: 'targets_team_fk', columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }),
    foreignKey({ name: 'targets_agent_fk', columns: [t.tenantId, t.agentId], foreignColumns: [agents.tenantId, agents.id] }),
    index('targets_metric_idx').on(t.tenantId, t.metric, t.validFrom),
    tenantIsolation(),
  ],
).enableRLS();
