import { describe, expect, it } from 'vitest';
import { openDatabases } from '../src/db/databases';
import { emptyHistoryBatch, writeHistory } from '../src/db/history-writer';
import { createQueue, createTenant } from './factories';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { callId } from './helpers/ingest';

const empty = emptyHistoryBatch();

describe('queues and agents history refers to', () => {
  it('are created when Postgres lacks them (archived, or live under a name made unique) and left alone when it has them', async () => {
    const t = await createTenant();
    const existing = await createQueue(t);
    const taken = await createQueue(t, { name: callId('Taken') });
    const [archived, clash, fresh, agent] = [callId('q'), callId('q'), callId('q'), callId('a')];
    const db = openDatabases(env);
    const close = () => db.close();
    try {
      const write = () =>
        writeHistory(db, t.id, {
          ...empty,
          ensure: [
            { kind: 'queue', id: existing.id, name: null, externalKey: null },
            { kind: 'queue', id: archived, name: null, externalKey: null },
            { kind: 'queue', id: clash, name: taken.name, externalKey: { provider: 'generic', key: 'clash' } },
            { kind: 'queue', id: fresh, name: 'Fresh', externalKey: null },
            { kind: 'agent', id: agent, name: 'Agent key', externalKey: { provider: 'generic', key: 'agent-key' } },
          ],
        });
      await write();
      await write(); // everything exists now: nothing changes
    } finally {
      await close();
    }
    const rows = await asTenant(t.id, (sql) =>
      sql(
        `SELECT id, name, archived_at IS NOT NULL AS archived FROM queues WHERE id = ANY($1)
         UNION ALL SELECT id, name, archived_at IS NOT NULL FROM agents WHERE id = $2`,
        [[existing.id, archived, clash, fresh], agent],
      ),
    );
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect(rows.sort(byId)).toEqual(
      [
        { id: existing.id, name: existing.name, archived: false },
        { id: archived, name: archived, archived: true },
        { id: clash, name: `${taken.name} (${clash})`, archived: false },
        { id: fresh, name: 'Fresh', archived: false },
        { id: agent, name: 'Agent key', archived: false },
      ].sort(byId),
    );
    const keys = await asTenant(t.id, (sql) =>
      sql(
        `SELECT queue_id AS id, key FROM queue_external_keys WHERE queue_id = $1
         UNION ALL SELECT agent_id, key FROM agent_external_keys WHERE agent_id = $2 ORDER BY key`,
        [clash, agent],
      ),
    );
    expect(keys).toEqual([
      { id: agent, key: 'agent-key' },
      { id: clash, key: 'clash' },
    ]);
  });
});
