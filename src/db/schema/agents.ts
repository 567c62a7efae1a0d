import { sql } from 'drizzle-orm';
import { foreignKey, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, tenantIdColumn, tenantIsolation } from './common';
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
