import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createAgent, createKey, createQueue, createTenant } from './factories';
import { env } from './helpers/env';
import { answeredCall, at, callId, sendEvents, settle } from './helpers/ingest';

describe('durability', () => {
  it('a Durable Object evicted between batches loses nothing and its counters stay right', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const id = callId();
    const events = answeredCall(id, q.id, a.id);
    await sendEvents(ingest.client, events.slice(0, 5));
    await evictDurableObject(queueStub(env, t.id, q.id));
    await evictDurableObject(tenantStub(env, t.id));
    const rest = await sendEvents(ingest.client, events);
    expect(rest).toMatchObject({ accepted: events.length - 5, duplicates: 5 });
    await evictDurableObject(queueStub(env, t.id, q.id));
    const live = (await t.admin.get(`/v1/queues/${q.id}/live`)).body;
    expect(live).toMatchObject({ waiting: 0, today: { offered: 1, answered: 1 } });
    await settle(t);
    const call = (await t.admin.get(`/v1/calls/${id}`)).body;
    expect(call.visits).toEqual([expect.objectContaining({ outcome: 'answered', waitMs: 10_000 })]);
    expect(call.segments).toEqual([expect.objectContaining({ talkMs: 105_000, holdMs: 15_000, acwMs: 30_000 })]);
    expect(call.events).toHaveLength(events.length);
  });

  it('a visit silent for the stale-visit minutes is closed as unknown, and a late event corrects it', async () => {
    const t = await createTenant({ settings: { staleVisitMinutes: 5 } });
    const q = await createQueue(t);
    const ingest = await createKey(t, { scopes: ['ingest'] });
    const id = callId();
    await sendEvents(ingest.client, [
      { id: `${id}:join`, type: 'queue.joined', occurredAt: at(1), interactionId: id, queueId: q.id },
    ]);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.waiting).toBe(1);

    // Six minutes of silence, without waiting six minutes: the object's clock of the last arrival moves back.
    const stub = queueStub(env, t.id, q.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec('UPDATE interactions SET last_received_at = last_received_at - ?', 6 * 60_000);
    });
    await runDurableObjectAlarm(stub);
    const stale = (await t.admin.get(`/v1/queues/${q.id}/live`)).body;
    expect(stale).toMatchObject({ waiting: 0, today: { offered: 1, unknown: 1, abandoned: 0 } });
    await settle(t);
    expect((await t.admin.get(`/v1/calls/${id}`)).body.visits).toEqual([
      expect.objectContaining({ outcome: 'unknown', closedBy: 'stale', leftAt: null, waitMs: null }),
    ]);

    await sendEvents(ingest.client, [
      {
        id: `${id}:left`,
        type: 'queue.left',
        occurredAt: at(41),
        interactionId: id,
        queueId: q.id,
        attrs: { outcome: 'abandoned' },
      },
    ]);
    const corrected = (await t.admin.get(`/v1/queues/${q.id}/live`)).body;
    expect(corrected.today).toMatchObject({ offered: 1, unknown: 0, abandoned: 1 });
    await settle(t);
    expect((await t.admin.get(`/v1/calls/${id}`)).body.visits).toEqual([
      expect.objectContaining({ outcome: 'abandoned', closedBy: 'event', waitMs: 40_000 }),
    ]);
  });
});
