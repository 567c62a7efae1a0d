import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../src/domain/events/normalized';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { DEFAULT_QUEUE_SETTINGS } from '../src/durable-objects/queue/queue-meta';
import { createQueue, createTenant } from './factories';
import { asTenant } from './helpers/db';
import { env } from './helpers/env';
import { callId, ingestIntoQueue, normalizedEvent, T0 } from './helpers/ingest';

/** 12,000 outbox rows: more than one flush batch of records and of events. */
const CALLS = 3000;

describe('a backlog of many batches', () => {
  it('drains fully and exactly: every event once, every visit and interaction at its newest version', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const stub = queueStub(env, t.id, q.id);
    const prefix = callId('drain');
    // Each call: joined, then left (the visit and the interaction are written twice, the outbox keeps the newest).
    for (let from = 0; from < CALLS; from += 250) {
      const events: AnyEvent[] = [];
      for (let i = from; i < from + 250; i++) {
        const id = `${prefix}-${i}`;
        const s = T0 + i * 1000;
        events.push(
          normalizedEvent(t, { id: `${id}:join`, type: 'queue.joined', interactionId: id, queueId: q.id, occurredAt: s }),
        );
        events.push(
          normalizedEvent(t, {
            id: `${id}:left`,
            type: 'queue.left',
            interactionId: id,
            queueId: q.id,
            occurredAt: s + 5000 + (i % 7) * 1000,
            attrs: { outcome: 'abandoned' },
          } as unknown as AnyEvent),
        );
      }
      const r = await ingestIntoQueue(stub, {
        tenantId: t.id,
        queueId: q.id,
        settings: DEFAULT_QUEUE_SETTINGS,
        events,
        presence: [],
        ensure: [],
        timelines: [],
      });
      expect(r.results.filter((x) => x.status === 'accepted').length).toBe(events.length);
    }
    console.log('backlog', (await stub.live()).outbox.backlog);

    // One alarm drains it (several batches), nothing is written twice or left behind.
    await runDurableObjectAlarm(stub);
    const live = (await stub.live()).outbox;
    expect(live.backlog).toBe(0);
    expect(live.flushedRows).toBe(CALLS * 4);
    expect(live.deadLetters).toBe(0);

    const rows = await asTenant(t.id, (sql) =>
      sql(
        `SELECT (SELECT count(*)::int FROM events WHERE queue_id = $1) AS events,
                (SELECT count(DISTINCT id)::int FROM events WHERE queue_id = $1) AS distinct_events,
                (SELECT count(*)::int FROM queue_visits WHERE queue_id = $1 AND outcome = 'abandoned') AS left_visits,
                (SELECT count(*)::int FROM queue_visits WHERE queue_id = $1) AS visits,
                (SELECT sum(wait_ms)::bigint::text FROM queue_visits WHERE queue_id = $1) AS wait_ms,
                (SELECT count(*)::int FROM interactions WHERE id LIKE $2) AS interactions`,
        [q.id, `${prefix}-%`],
      ),
    );
    let wait = 0;
    for (let i = 0; i < CALLS; i++) wait += 5000 + (i % 7) * 1000;
    expect(rows[0]).toEqual({
      events: CALLS * 2,
      distinct_events: CALLS * 2,
      left_visits: CALLS,
      visits: CALLS,
      wait_ms: String(wait),
      interactions: CALLS,
    });
  }, 120_000);
});
