import { sql } from 'drizzle-orm';
import { foreignKey, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { archivedAt, createdAt, tenantIdColumn, tenantIsolation, updatedAt } from './common';
import { queues } from './queues';
import { sites } from './sites';
import { teams } from './teams';
import { tenants } from './tenants';

export const agents = pgTable(
  'agents',
  {
    tenantId: tenantIdColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    teamId: text('team_id'),
    siteId: text('site_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: archivedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete('cascade'),
    foreignKey({ name: 'agents_team_fk', columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }),
    foreignKey({ name: 'agents_site_fk', columns: [t.tenantId, t.siteId], foreignColumns: [sites.tenantId, sites.id] }),
    uniqueIndex('agents_email_unique')
      .on(t.tenantId, sql`lower(${t.email})`)
      .where(sql`archived_at is null and email is not null`),
    tenantIsolation(),
  ],
).enableRLS();

/** A provider's own identifier for an agent (TaskRouter WorkerSid, Connect agent ARN, SIP extension, ...). */
export const agentExternalKeys = pgTable(
  'agent_external_keys',
  {
    tenantId: tenantIdColumn(),
    agentId: text('agent_id').notNull(),
    provider: text('provider').notNull(),
    key: text('key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'agent_external_keys_unique', columns: [t.tenantId, t.provider, t.key] }),
    foreignKey({ columns: [t.tenantId, t.agentId], foreignColumns: [agents.tenantId, agents.id] }).onDelete('cascade'),
    index('agent_external_keys_agent_idx').on(t.tenantId, t.agentId),
    tenantIsolation(),
  ],
).enableRLS();

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
