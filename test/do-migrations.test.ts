import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { QUEUE_MIGRATIONS } from '../src/durable-objects/queue/queue.migrations';
import { migrateSqlite } from '../src/durable-objects/sqlite-migrations';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { TENANT_MIGRATIONS } from '../src/durable-objects/tenant/tenant.migrations';
import { env } from './helpers/env';

const rows = (sql: SqlStorage, q: string) => sql.exec(q).toArray();

describe('Durable Object storage migrations keep what was stored', () => {
  it("a queue's events, records, interactions and timelines move to their keyed tables; waiting callers come from open visits", async () => {
    // A storage nobody used: its migrations are run here by hand, the old ones first, with rows in the old tables.
    await runInDurableObject(queueStub(env, 'migration', crypto.randomUUID()), (_i, state) => {
      const sql = state.storage.sql;
      migrateSqlite(sql, QUEUE_MIGRATIONS.slice(0, 2));
      sql.exec(
        `INSERT INTO events (id, interaction_id, occurred_at, received_at, body) VALUES
           ('e1', 'call-1', 1000, 1100, '{"id":"e1"}'), ('e2', 'call-1', 2000, 2100, '{"id":"e2"}'), ('e3', 'call-2', 3000, 3100, '{"id":"e3"}')`,
      );
      sql.exec(
        `INSERT INTO records (kind, id, interaction_id, body, version) VALUES
           ('visit', 'call-1|q|0', 'call-1', '{"enqueuedAt":1000,"outcome":null}', 1),
           ('visit', 'call-2|q|0', 'call-2', '{"enqueuedAt":3000,"outcome":"abandoned"}', 2),
           ('interaction', 'call-1', 'call-1', '{"id":"call-1"}', 1)`,
      );
      sql.exec(
        `INSERT INTO interactions (id, first_event_at, last_event_at, last_received_at, stale_since, active) VALUES
           ('call-1', 1000, 2000, 2100, NULL, 1), ('call-2', 3000, 3000, 3100, 3200, 0)`,
      );
      sql.exec(
        `INSERT INTO timelines (interaction_id, body) VALUES
           ('call-1', '[{"queueId":"q","at":1000}]'), ('call-2', '[{"queueId":"q","at":3000},{"queueId":"r","at":3050}]')`,
      );
      sql.exec(
        "INSERT INTO visits (id, interaction_id, enqueued_at, outcome, open) VALUES ('call-1|q|0', 'call-1', 1000, NULL, 1)",
      );

      migrateSqlite(sql, QUEUE_MIGRATIONS);
      expect(rows(sql, 'SELECT id, interaction_id, occurred_at, received_at, body FROM events ORDER BY id')).toEqual([
        { id: 'e1', interaction_id: 'call-1', occurred_at: 1000, received_at: 1100, body: '{"id":"e1"}' },
        { id: 'e2', interaction_id: 'call-1', occurred_at: 2000, received_at: 2100, body: '{"id":"e2"}' },
        { id: 'e3', interaction_id: 'call-2', occurred_at: 3000, received_at: 3100, body: '{"id":"e3"}' },
      ]);
      // An event id stays unique across interactions.
      expect(() =>
        sql.exec("INSERT INTO events (id, interaction_id, occurred_at, received_at, body) VALUES ('e1', 'call-9', 1, 1, '{}')"),
      ).toThrow(/UNIQUE/);
      expect(rows(sql, 'SELECT kind, id, version, open_since FROM records ORDER BY kind, id')).toEqual([
        { kind: 'interaction', id: 'call-1', version: 1, open_since: null },
        { kind: 'visit', id: 'call-1|q|0', version: 1, open_since: 1000 },
        { kind: 'visit', id: 'call-2|q|0', version: 2, open_since: null },
      ]);
      expect(rows(sql, 'SELECT id, last_received_at, stale_since, active FROM interactions ORDER BY id')).toEqual([
        { id: 'call-1', last_received_at: 2100, stale_since: null, active: 1 },
        { id: 'call-2', last_received_at: 3100, stale_since: 3200, active: 0 },
      ]);
      expect(rows(sql, 'SELECT interaction_id FROM timelines')).toEqual([{ interaction_id: 'call-2' }]);
      expect(rows(sql, "SELECT name FROM sqlite_master WHERE name = 'visits'")).toEqual([]);
    });
  });

  it("a tenant's interaction routes and relay rows move to their keyed tables", async () => {
    await runInDurableObject(tenantStub(env, `migration-${crypto.randomUUID()}`), (_i, state) => {
      const sql = state.storage.sql;
      migrateSqlite(sql, TENANT_MIGRATIONS.slice(0, 4));
      sql.exec(
        "INSERT INTO interaction_queues (interaction_id, queue_id, first_at, touched_at) VALUES ('call-1', 'q', 1000, 1100), ('call-1', 'r', 2000, 2100)",
      );
      sql.exec("INSERT INTO forward (id, queue_id, body, created_at) VALUES ('r|event|e1', 'r', '{\"event\":{}}', 2100)");

      migrateSqlite(sql, TENANT_MIGRATIONS);
      expect(
        rows(sql, 'SELECT interaction_id, queue_id, first_at, touched_at FROM interaction_queues ORDER BY queue_id'),
      ).toEqual([
        { interaction_id: 'call-1', queue_id: 'q', first_at: 1000, touched_at: 1100 },
        { interaction_id: 'call-1', queue_id: 'r', first_at: 2000, touched_at: 2100 },
      ]);
      expect(rows(sql, 'SELECT id, queue_id, body, created_at FROM forward')).toEqual([
        { id: 'r|event|e1', queue_id: 'r', body: '{"event":{}}', created_at: 2100 },
      ]);
    });
  });
});
