import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../src/domain/events/normalized';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { DEFAULT_QUEUE_SETTINGS } from '../src/durable-objects/queue/queue-meta';
import { createQueue, createTenant } from './factories';
import { env } from './helpers/env';
import { callId, ingestIntoQueue, normalizedEvent, T0 } from './helpers/ingest';

describe("a queue's timelines", () => {
  it('keeps a timeline of several queues, not one of itself alone — which also replaces one kept before', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const stub = queueStub(env, t.id, q.id);
    const id = callId('timeline');
    const joined = normalizedEvent(t, {
      id: `${id}:join`,
      type: 'queue.joined',
      interactionId: id,
      queueId: q.id,
      occurredAt: T0,
    });
    // An agent's queue-less event after the caller reached another queue is not this queue's while that queue is known.
    const connected = normalizedEvent(t, {
      id: `${id}:connect`,
      type: 'agent.connected',
      interactionId: id,
      queueId: null,
      agentId: 'agt_timeline',
      occurredAt: T0 + 60_000,
    } as unknown as AnyEvent);
    const ingest = (joins: { queueId: string; at: number }[], events: AnyEvent[] = []) =>
      ingestIntoQueue(stub, {
        tenantId: t.id,
        queueId: q.id,
        settings: DEFAULT_QUEUE_SETTINGS,
        events,
        presence: [],
        ensure: [],
        timelines: [{ interactionId: id, joins }],
      });
    const stored = () =>
      runInDurableObject(stub, (_i, state) => ({
        timelines: state.storage.sql.exec('SELECT body FROM timelines WHERE interaction_id = ?', id).toArray().length,
        segments: state.storage.sql.exec("SELECT id FROM records WHERE kind = 'segment' AND interaction_id = ?", id).toArray()
          .length,
      }));

    await ingest([{ queueId: q.id, at: T0 }], [joined, connected]);
    expect(await stored()).toEqual({ timelines: 0, segments: 1 });

    await ingest([
      { queueId: q.id, at: T0 },
      { queueId: 'que_other', at: T0 + 30_000 },
    ]);
    expect(await stored()).toEqual({ timelines: 1, segments: 0 });

    await ingest([{ queueId: q.id, at: T0 }]);
    expect(await stored()).toEqual({ timelines: 0, segments: 1 });
  });
});
