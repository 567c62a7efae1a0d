import { sql } from 'drizzle-orm';
import { date, foreignKey, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { queues } from './queues';
import { externalKeysTable, resourceColumns, resourceConstraints } from './resource-table';
import { sites } from './sites';
import { teams } from './teams';

export const agents = pgTable(
  'agents',
  {
    ...resourceColumns(),
    email: text('email'),
    teamId: text('team_id'),
    siteId: text('site_id'),
    /** Employment (docs/people.md): first day, and the day after the last (null: still employed). */
    hiredOn: date('hired_on', { mode: 'string' }),
    leftOn: date('left_on', { mode: 'string' }),
  },
  (t) => [
    // Agents may share a name; their email is what is unique.
    ...resourceConstraints('agents', t, false),
    foreignKey({ name: 'agents_team_fk', columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }),
    foreignKey({ name: 'agents_site_fk', columns: [t.tenantId, t.siteId], foreignColumns: [sites.tenantId, sites.id] }),
    uniqueIndex('agents_email_unique')
      .on(t.tenantId, sql`lower(${t.email})`)
      .where(sql`archived_at is null and email is not null`),
  ],
).enableRLS();

export const agentExternalKeys = externalKeysTable('agent_external_keys', 'agent_id', agents);

/** Which queues an agent serves. Configuration, not history: it goes with either side. */
export const agentQueues = pgTable(
  'agent_queues',
  {
    tenantId: tenantIdColumn(),
    agentId: text('agent_id').notNull(),
    queueId: text('queue_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.agentId, t.queueId] }),
    foreignKey({ columns: [t.tenantId, t.agentId], foreignColumns: [agents.tenantId, agents.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.queueId], foreignColumns: [queues.tenantId, queues.id] }).onDelete('cascade'),
    index('agent_queues_queue_idx').on(t.tenantId, t.queueId),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * An agent's team and site over time (src/domain/agents/memberships.ts): contiguous periods, the first from the
 * epoch, the last open. KPIs by team or site attribute each segment and state interval to the period of its time.
 * Teams and sites named here keep them from being deleted (they are archived instead), like history does.
 */
export const agentMemberships = pgTable(
  'agent_memberships',
  {
    tenantId: tenantIdColumn(),
    agentId: text('agent_id').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true, mode: 'date', precision: 3 }),
    teamId: text('team_id'),
    siteId: text('site_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.agentId, t.validFrom] }),
    foreignKey({ columns: [t.tenantId, t.agentId], foreignColumns: [agents.tenantId, agents.id] }).onDelete('cascade'),
    foreignKey({
      name: 'agent_memberships_team_fk',
      columns: [t.tenantId, t.teamId],
      foreignColumns: [teams.tenantId, teams.id],
    }),
    foreignKey({
      name: 'agent_memberships_site_fk',
      columns: [t.tenantId, t.siteId],
      foreignColumns: [sites.tenantId, sites.id],
    }),
    index('agent_memberships_team_idx').on(t.tenantId, t.teamId),
    index('agent_memberships_site_idx').on(t.tenantId, t.siteId),
    tenantIsolation(),
  ],
).enableRLS();
