import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL } from '../outbox';

/** The WebhookSenderDO's SQLite schema, forward-only (see `sqlite-migrations.ts`). */
export const WEBHOOK_SENDER_MIGRATIONS = [
  `CREATE TABLE config (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL);
   -- The mirror of the tenant's endpoints (body: HotWebhookEndpoint) and each one's delivery health:
   -- failing_since is the first failed attempt since the last delivered one.
   CREATE TABLE endpoints (
     id TEXT PRIMARY KEY,
     body TEXT NOT NULL,
     enabled INTEGER NOT NULL,
     failing_since INTEGER
   );
   -- Each event's body once, however many endpoints it goes to.
   CREATE TABLE payloads (message_id TEXT PRIMARY KEY, event_type TEXT NOT NULL, body TEXT NOT NULL);
   -- One message per (endpoint, event) until it is delivered or given up. next_attempt_at also leases a
   -- message being sent (moved past the send's timeout), so two alarms never send the same attempt.
   CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     endpoint_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     enqueued_at INTEGER NOT NULL,
     first_attempt_at INTEGER,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     UNIQUE (endpoint_id, message_id)
   );
   CREATE INDEX messages_due ON messages (next_attempt_at);
   CREATE INDEX messages_endpoint ON messages (endpoint_id, seq);
   -- Event ids already published, so a repeated publish queues nothing.
   CREATE TABLE published (event_id TEXT PRIMARY KEY, message_id TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX published_at ON published (at);
   ${OUTBOX_DDL}
   ${OUTBOX_DEAD_LETTERS_DDL}`,
];
