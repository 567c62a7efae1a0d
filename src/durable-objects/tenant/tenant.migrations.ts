import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL } from '../outbox';

/** The TenantDO's SQLite schema, forward-only (see `sqlite-migrations.ts`). */
export const TENANT_MIGRATIONS = [
  `CREATE TABLE config (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     tenant_id TEXT NOT NULL,
     settings TEXT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE TABLE api_keys (
     hash TEXT PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     scopes TEXT NOT NULL,
     expires_at INTEGER,
     revoked_at INTEGER,
     rate_limit TEXT
   );
   CREATE TABLE idempotency (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
     response TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX idempotency_created_at ON idempotency (created_at);`,
  `ALTER TABLE config ADD COLUMN caller_salt TEXT NOT NULL DEFAULT '';
   CREATE TABLE entities (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     archived INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE TABLE entity_keys (
     kind TEXT NOT NULL,
     provider TEXT NOT NULL,
     key TEXT NOT NULL,
     entity_id TEXT NOT NULL,
     PRIMARY KEY (kind, provider, key)
   );
   CREATE INDEX entity_keys_entity ON entity_keys (kind, entity_id);
   CREATE TABLE connectors (id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE interaction_queues (
     interaction_id TEXT NOT NULL,
     queue_id TEXT NOT NULL,
     first_at INTEGER NOT NULL,
     touched_at INTEGER NOT NULL,
     PRIMARY KEY (interaction_id, queue_id)
   );
   CREATE TABLE interaction_events (
     id TEXT PRIMARY KEY,
     interaction_id TEXT NOT NULL,
     agent_id TEXT,
     occurred_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     parked INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX interaction_events_interaction ON interaction_events (interaction_id);
   CREATE INDEX interaction_events_parked ON interaction_events (parked, received_at);
   CREATE TABLE forward (id TEXT PRIMARY KEY, queue_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE agent_events (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, received_at INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE INDEX agent_events_agent ON agent_events (agent_id);
   CREATE TABLE presence (agent_id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT, since INTEGER NOT NULL, event_id TEXT NOT NULL);
   CREATE TABLE intervals (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL);
   CREATE INDEX intervals_agent ON intervals (agent_id);
   ${OUTBOX_DDL}`,
  OUTBOX_DEAD_LETTERS_DDL,
  // Which settings each QueueDO was last configured with (see `QueueLink`).
  'CREATE TABLE queue_configs (queue_id TEXT PRIMARY KEY, settings TEXT NOT NULL)',
  // Tables written by every delivery keep their rows in their primary key's own B-tree (no rowid table beside
  // it): a routing transaction touches half as many pages.
  `CREATE TABLE interaction_queues_by_key (
     interaction_id TEXT NOT NULL,
     queue_id TEXT NOT NULL,
     first_at INTEGER NOT NULL,
     touched_at INTEGER NOT NULL,
     PRIMARY KEY (interaction_id, queue_id)
   ) WITHOUT ROWID;
   INSERT INTO interaction_queues_by_key SELECT interaction_id, queue_id, first_at, touched_at FROM interaction_queues;
   DROP TABLE interaction_queues;
   ALTER TABLE interaction_queues_by_key RENAME TO interaction_queues;
   CREATE TABLE forward_by_id (id TEXT PRIMARY KEY, queue_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO forward_by_id SELECT id, queue_id, body, created_at FROM forward;
   DROP TABLE forward;
   ALTER TABLE forward_by_id RENAME TO forward;`,
  // The team or agent a key is limited to (JSON; null: the whole tenant), docs/roles.md.
  'ALTER TABLE api_keys ADD COLUMN key_limit TEXT',
];
