import { describe, expect, it } from 'vitest';
import { openDatabases } from '../src/db/databases';
import { emptyHistoryBatch, writeHistory } from '../src/db/history-writer';
import { createAgent, createQueue, createTenant } from './factories';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { callId, T0 } from './helpers/ingest';

const empty = emptyHistoryBatch();

describe('records that no longer exist', () => {
  it('are deleted from Postgres only where it holds an older version, all of a batch at once', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const call = callId('gone');
    const visit = (id: string, version: number) => ({
      id,
      interactionId: call,
      queueId: q.id,
      legId: null,
      enqueuedAt: T0,
      enqueuedAtSource: 'provider' as const,
      leftAt: null,
      outcome: null,
      closedBy: null,
      waitMs: null,
      agentId: null,
      answeredAt: null,
      version,
    });
    const segment = (id: string, version: number) => ({
      id,
      interactionId: call,
      agentId: a.id,
      queueId: q.id,
      visitId: null,
      connectedAt: T0,
      disconnectedAt: null,
      talkMs: null,
      holdMs: 0,
      holdCount: 0,
      onHoldSince: null,
      wrapupStartedAt: null,
      wrapupEndedAt: null,
      acwMs: null,
      transferred: false,
      endedBy: null,
      version,
    });
    const v = [`${call}:v1`, `${call}:v2`, `${call}:v3`];
    const s = [`${call}:s1`, `${call}:s2`];
    const db = openDatabases(env);
    const close = () => db.close();
    try {
      await writeHistory(db, t.id, {
        ...empty,
        interactions: [
          {
            id: call,
            direction: 'inbound',
            callerHash: null,
            callerMasked: null,
            startedAt: T0,
            endedAt: null,
            hangupCause: null,
            endedBy: null,
            disposition: null,
            survey: null,
            ivr: null,
            firstEventAt: T0,
            lastEventAt: T0,
          },
        ],
        visits: [visit(v[0] as string, 1), visit(v[1] as string, 1), visit(v[2] as string, 3)],
        segments: [segment(s[0] as string, 1), segment(s[1] as string, 2)],
      });
      // Removed at version 2: the first visit and segment go; the visit Postgres has at version 3, the segment at
      // version 2 (not older) and the visit nobody removed stay.
      await writeHistory(db, t.id, {
        ...empty,
        deletions: [
          { kind: 'visit', id: v[2] as string, version: 2 },
          { kind: 'segment', id: s[1] as string, version: 2 },
          { kind: 'visit', id: v[0] as string, version: 2 },
          { kind: 'segment', id: s[0] as string, version: 2 },
          { kind: 'visit', id: `${call}:never-written`, version: 2 },
        ],
      });
    } finally {
      await close();
    }
    const rows = await asTenant(t.id, (sql) =>
      sql(
        `SELECT (SELECT array_agg(id ORDER BY id COLLATE "C") FROM queue_visits WHERE interaction_id = $1) AS visits,
                (SELECT array_agg(id ORDER BY id COLLATE "C") FROM agent_segments WHERE interaction_id = $1) AS segments`,
        [call],
      ),
    );
    expect(rows[0]).toEqual({ visits: [v[1], v[2]], segments: [s[1]] });
  });
});
