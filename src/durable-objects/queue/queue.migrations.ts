import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL } from '../outbox';

/** The QueueDO's SQLite schema, forward-only (see `sqlite-migrations.ts`). */
export const QUEUE_MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE events (
     id TEXT PRIMARY KEY,
     interaction_id TEXT NOT NULL,
     occurred_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX events_interaction ON events (interaction_id);
   CREATE TABLE interactions (
     id TEXT PRIMARY KEY,
     first_event_at INTEGER NOT NULL,
     last_event_at INTEGER NOT NULL,
     last_received_at INTEGER NOT NULL,
     stale_since INTEGER,
     active INTEGER NOT NULL
   );
   CREATE INDEX interactions_active ON interactions (active, last_received_at);
   CREATE TABLE records (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     interaction_id TEXT NOT NULL,
     body TEXT NOT NULL,
     version INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE INDEX records_interaction ON records (interaction_id);
   CREATE TABLE visits (
     id TEXT PRIMARY KEY,
     interaction_id TEXT NOT NULL,
     enqueued_at INTEGER NOT NULL,
     outcome TEXT,
     open INTEGER NOT NULL
   );
   CREATE INDEX visits_enqueued ON visits (enqueued_at);
   CREATE INDEX visits_open ON visits (open, enqueued_at);
   CREATE INDEX visits_interaction ON visits (interaction_id);
   CREATE TABLE presence (agent_id TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT, since INTEGER NOT NULL, event_id TEXT NOT NULL);
   CREATE TABLE entities (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));
   CREATE TABLE timelines (interaction_id TEXT PRIMARY KEY, body TEXT NOT NULL);
   ${OUTBOX_DDL}`,
  OUTBOX_DEAD_LETTERS_DDL,
  // Waiting callers are read from the visit records themselves (an open visit's enqueue time, indexed while it is
  // open) instead of a copy in `visits`; a timeline that names one queue is the same as none and is not kept.
  `CREATE TABLE records_by_interaction (
     interaction_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     body TEXT NOT NULL,
     version INTEGER NOT NULL,
     open_since INTEGER,
     PRIMARY KEY (interaction_id, kind, id)
   ) WITHOUT ROWID;
   INSERT INTO records_by_interaction (interaction_id, kind, id, body, version, open_since)
     SELECT interaction_id, kind, id, body, version,
       CASE WHEN kind = 'visit' AND json_extract(body, '$.outcome') IS NULL THEN json_extract(body, '$.enqueuedAt') END
     FROM records;
   DROP TABLE records;
   ALTER TABLE records_by_interaction RENAME TO records;
   CREATE INDEX records_open ON records (open_since, id) WHERE open_since IS NOT NULL;
   DROP TABLE visits;
   CREATE TABLE events_by_interaction (
     interaction_id TEXT NOT NULL,
     id TEXT NOT NULL,
     occurred_at INTEGER NOT NULL,
     received_at INTEGER NOT NULL,
     body TEXT NOT NULL,
     PRIMARY KEY (interaction_id, id)
   ) WITHOUT ROWID;
   INSERT INTO events_by_interaction (interaction_id, id, occurred_at, received_at, body)
     SELECT interaction_id, id, occurred_at, received_at, body FROM events;
   DROP TABLE events;
   ALTER TABLE events_by_interaction RENAME TO events;
   CREATE UNIQUE INDEX events_id ON events (id);
   CREATE TABLE interactions_by_id (
     id TEXT PRIMARY KEY,
     first_event_at INTEGER NOT NULL,
     last_event_at INTEGER NOT NULL,
     last_received_at INTEGER NOT NULL,
     stale_since INTEGER,
     active INTEGER NOT NULL
   ) WITHOUT ROWID;
   INSERT INTO interactions_by_id SELECT id, first_event_at, last_event_at, last_received_at, stale_since, active FROM interactions;
   DROP TABLE interactions;
   ALTER TABLE interactions_by_id RENAME TO interactions;
   CREATE INDEX interactions_active ON interactions (active, last_received_at);
   DELETE FROM timelines WHERE json_array_length(body) <= 1;`,
];
