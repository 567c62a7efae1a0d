import { OUTBOX_DDL, OUTBOX_DEAD_LETTERS_DDL } from '../outbox';

/** The OutboundDO's SQLite schema, forward-only (see `sqlite-migrations.ts`). */
export const OUTBOUND_MIGRATIONS = [
  `CREATE TABLE config (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL);
   -- The mirror of the tenant's live campaigns (body: CampaignPolicy), do-not-call list (salted hashes) and quiet
   -- days, written through from Postgres by every admin change.
   CREATE TABLE campaigns (id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE do_not_call (number_hash TEXT PRIMARY KEY) WITHOUT ROWID;
   CREATE TABLE quiet_days (day TEXT PRIMARY KEY) WITHOUT ROWID;
   -- Attempts the dialer recorded (a check with record: true that was allowed), kept 8 days: the caps per
   -- 24 hours and per 7 days and the minimum gap read them.
   CREATE TABLE attempts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     number_hash TEXT NOT NULL,
     campaign_id TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX attempts_number ON attempts (number_hash, at);
   CREATE INDEX attempts_at ON attempts (at);
   -- Attempts per number and campaign, ever (the per-campaign cap outlives the 8 days).
   CREATE TABLE campaign_attempts (
     number_hash TEXT NOT NULL,
     campaign_id TEXT NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (number_hash, campaign_id)
   ) WITHOUT ROWID;
   ${OUTBOX_DDL}
   ${OUTBOX_DEAD_LETTERS_DDL}`,
];
