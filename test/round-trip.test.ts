import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { queueStub } from '../src/durable-objects/queue/queue.client';
import { tenantStub } from '../src/durable-objects/tenant/tenant.client';
import { createQueue, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { env } from './helpers/env';
import { abandonedCall, callId, normalizedEvent, settle } from './helpers/ingest';
import { deliverSigned } from './helpers/webhooks';

describe('one round trip per delivery', () => {
  it('TenantDO.ingest routes, commits in the queue and logs the delivery with what its events became', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const created = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic' });
    expect(created.status, created.text).toBe(201);
    const connectorId = (created.body as { id: string }).id;
    const id = callId('rt');
    const deliveryId = `dlv_${id}`;

    const out = await tenantStub(env, t.id).ingest({
      events: [normalizedEvent(t, { id: `${id}:join`, type: 'queue.joined', interactionId: id, queueId: q.id })],
      connectorId,
      connectorSecret: null,
      unknownKeys: 'reject',
      delivery: {
        record: {
          id: deliveryId,
          connectorId,
          requestId: 'req_rt',
          receivedAt: Date.now(),
          outcome: 'accepted',
          httpStatus: 200,
          verified: true,
          reason: null,
          detail: null,
          method: 'POST',
          url: `http://callboard.test/v1/webhooks/generic/${connectorId}`,
          contentType: 'application/json',
          headers: {},
          body: '{}',
          bodyTruncated: false,
          events: 2,
          accepted: 0,
          duplicates: 0,
          rejected: 0,
          ignored: [],
        },
        // The delivery's second event was refused before routing (an adapter's mapping gap).
        slots: [{ id: `${id}:join`, routed: 0 }, { result: { id: `${id}:bad`, status: 'rejected', reason: 'invalid_event' } }],
      },
    });
    expect(out).toEqual({ ok: true, results: [{ id: `${id}:join`, status: 'accepted' }] });
    // Committed in the QueueDO before the answer.
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.waiting).toBe(1);

    await settle(t);
    const list = (await t.admin.get(`/v1/connectors/${connectorId}/deliveries`)).body.data as Record<string, unknown>[];
    expect(list).toEqual([
      expect.objectContaining({
        id: deliveryId,
        outcome: 'partial',
        httpStatus: 200,
        reason: 'invalid_event',
        events: 2,
        accepted: 1,
        duplicates: 0,
        rejected: 1,
      }),
    ]);
  });

  it('a QueueDO that fails makes the delivery a 503, logged as such, and its retry goes through', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const created = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic' });
    const connector = created.body as { id: string; secret: string };
    expect((await deliverSigned(connector, JSON.stringify({ events: abandonedCall(callId('first'), q.id, 30) }))).status).toBe(
      200,
    );
    // The queue's storage breaks: its next batch throws inside the QueueDO.
    await runInDurableObject(queueStub(env, t.id, q.id), (_i, state) => {
      state.storage.sql.exec('ALTER TABLE events RENAME TO events_away');
    });
    const body = JSON.stringify({ events: abandonedCall(callId('broken'), q.id, 30) });
    expectProblem(await deliverSigned(connector, body, { id: 'msg_broken' }), 503, 'SERVICE_UNAVAILABLE');

    await runInDurableObject(queueStub(env, t.id, q.id), (_i, state) => {
      state.storage.sql.exec('ALTER TABLE events_away RENAME TO events');
    });
    const retry = await deliverSigned(connector, body, { id: 'msg_broken' });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body).toMatchObject({ accepted: 4, duplicates: 0 });

    await settle(t);
    const list = (await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data as Record<string, unknown>[];
    expect(list.map((d) => [d.outcome, d.httpStatus, d.reason, d.accepted])).toEqual([
      ['accepted', 200, null, 4],
      ['rejected', 503, 'SERVICE_UNAVAILABLE', 0],
      ['accepted', 200, null, 4],
    ]);
  });

  it('what the queues took with the request is not relayed again; what a failed queue missed waits for the relay', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const created = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic' });
    const connector = created.body as { id: string; secret: string };
    const tenant = tenantStub(env, t.id);
    // A call new to the queue: routing keeps its timeline and queue-less events for the relay, and the batch carries them.
    const ok = await deliverSigned(connector, JSON.stringify({ events: abandonedCall(callId('taken'), q.id, 30) }));
    expect(ok.status, ok.text).toBe(200);
    expect((await tenant.backlog()).relay).toBe(0);

    await runInDurableObject(queueStub(env, t.id, q.id), (_i, state) => {
      state.storage.sql.exec('ALTER TABLE events RENAME TO events_away');
    });
    const body = JSON.stringify({ events: abandonedCall(callId('missed'), q.id, 30) });
    expectProblem(await deliverSigned(connector, body), 503, 'SERVICE_UNAVAILABLE');
    // Its two queue-less events; not its timeline, which names this queue alone and so tells it nothing.
    expect((await tenant.backlog()).relay).toBe(2);
    await runInDurableObject(queueStub(env, t.id, q.id), (_i, state) => {
      state.storage.sql.exec('ALTER TABLE events_away RENAME TO events');
    });
    await settle(t);
    expect((await tenant.backlog()).relay).toBe(0);
  });
});
