import { sql } from 'drizzle-orm';
import { boolean, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { ConnectorOptions } from '../../contracts/connectors';
import { resourceColumns, resourceConstraints } from './resource-table';

/**
 * A source of events (a provider account, a PBX forwarder). Its id carries the tenant, so a webhook
 * finds its tenant without a global lookup. Secrets are sealed with the platform key (AES-GCM).
 */
export const connectors = pgTable(
  'connectors',
  {
    ...resourceColumns(),
    provider: text('provider').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** What to do with a queue or agent key nobody mapped: `reject` the event or `create` the queue/agent. */
    unknownKeys: text('unknown_keys').notNull().default('reject'),
    /** The provider credentials (JSON; for Standard Webhooks providers the generated secret), sealed. */
    secretSealed: text('secret_sealed').notNull(),
    /** Which credentials are set (their names only, for display). */
    credentialNames: jsonb('credential_names').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** After a rotation the previous credentials keep verifying until this instant. */
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    queueMappings: jsonb('queue_mappings').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    agentMappings: jsonb('agent_mappings').$type<Record<string, string>>().notNull().default(sql`'{}'::jsonb`),
    options: jsonb('options').$type<ConnectorOptions>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => resourceConstraints('connectors', t),
).enableRLS();
