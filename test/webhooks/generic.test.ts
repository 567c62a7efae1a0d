import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createQueue, createTenant, type TestTenant } from '../factories';
import { expectProblem } from '../helpers/api';
import { abandonedCall, at, callId, settle } from '../helpers/ingest';
import { deliverSigned, type SignedDelivery } from '../helpers/webhooks';

type Delivery = SignedDelivery;
const deliver = deliverSigned;

async function setup(body: Record<string, unknown> = {}) {
  const t = await createTenant();
  const q = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
  const res = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic', ...body });
  expect(res.status, res.text).toBe(201);
  return { t, q, connector: res.body as { id: string; secret: string; webhookPath: string } };
}

async function nothingWritten(t: TestTenant, queueId: string) {
  const live = await t.admin.get(`/v1/queues/${queueId}/live`);
  expect(live.body.today.offered).toBe(0);
  expect((await t.admin.get('/v1/calls')).body.data).toEqual([]);
}

describe('POST /v1/webhooks/generic/{connectorId}', () => {
  it('accepts a batch signed with the connector secret, and a retried delivery is all duplicates', async () => {
    const { t, q, connector } = await setup();
    expect(connector.secret).toMatch(/^whsec_/);
    expect(connector.id).toMatch(new RegExp(`^con_${t.id.slice(4)}_[0-9a-z]{26}$`));
    expect(connector.webhookPath).toBe(`/v1/webhooks/generic/${connector.id}`);
    const events = abandonedCall(callId(), q.id, 20).map((e) => ({ ...e, queueId: undefined, queueKey: 'sales' }));
    const body = JSON.stringify({ events });
    const first = await deliver(connector, body, { id: 'msg_1' });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ accepted: 4, duplicates: 0, rejected: 0 });
    const retry = await deliver(connector, body, { id: 'msg_1' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 4 });
    const live = await t.admin.get(`/v1/queues/${q.id}/live`);
    expect(live.body.today).toMatchObject({ offered: 1, abandoned: 1 });
  });

  it('refuses bad signatures and timestamps with 401, writing nothing', async () => {
    const { t, q, connector } = await setup();
    const body = JSON.stringify({ events: abandonedCall(callId(), q.id, 5) });
    const other = await setup();
    const cases: [Delivery, string][] = [
      [{ signature: null }, 'SIGNATURE_MISSING'],
      [{ signature: 'v1,AAAA' }, 'SIGNATURE_INVALID'],
      [{ secret: other.connector.secret }, 'SIGNATURE_INVALID'],
      [{ timestamp: new Date(Date.now() - 6 * 60_000) }, 'SIGNATURE_EXPIRED'],
      [{ timestamp: new Date(Date.now() + 6 * 60_000) }, 'SIGNATURE_EXPIRED'],
    ];
    for (const [d, code] of cases) expectProblem(await deliver(connector, body, d), 401, code);
    // A body changed after signing.
    const signed = new Webhook(connector.secret).sign('msg_x', new Date(), body);
    expectProblem(
      await deliver(connector, body.replace('"abandoned"', '"answered"'), { id: 'msg_x', signature: signed }),
      401,
      'SIGNATURE_INVALID',
    );
    // Several signatures, one of them right (sender-side rotation).
    const good = new Webhook(connector.secret).sign('msg_y', new Date(), body);
    const res = await deliver(connector, body, { id: 'msg_y', signature: `v1,Zm9vYmFy ${good}` });
    expect(res.status, res.text).toBe(200);
    await t.admin.get('/v1/settings');
    expect(res.body.accepted).toBe(4);
  });

  it('verifies before parsing: malformed JSON 400, schema 422, too many events 422, too big 413', async () => {
    const { t, q, connector } = await setup();
    expectProblem(await deliver(connector, '{"events": ['), 400, 'MALFORMED_JSON');
    const schema = expectProblem(
      await deliver(
        connector,
        JSON.stringify({ events: [{ id: 'a', type: 'queue.left', occurredAt: 'yesterday', interactionId: 'c', queueId: q.id }] }),
      ),
      422,
      'VALIDATION_FAILED',
    );
    expect(schema.errors?.map((e) => e.pointer).sort()).toEqual(['/events/0/attrs', '/events/0/occurredAt']);
    const many = Array.from({ length: 1001 }, (_, i) => ({
      id: `e${i}`,
      type: 'queue.joined',
      occurredAt: at(i),
      interactionId: `c${i}`,
      queueId: q.id,
    }));
    const tooMany = expectProblem(await deliver(connector, JSON.stringify({ events: many })), 422, 'VALIDATION_FAILED');
    expect(tooMany.errors).toEqual([expect.objectContaining({ pointer: '/events' })]);
    const huge = JSON.stringify({
      events: [{ id: 'big', type: 'interaction.started', occurredAt: at(0), interactionId: 'x'.repeat(199), legId: 'y' }],
      pad: 'z'.repeat(6 * 1024 * 1024),
    });
    expectProblem(await deliver(connector, huge), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(
      await deliver(connector, JSON.stringify({ events: [] }), { contentType: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await nothingWritten(t, q.id);
  });

  it('404s unknown, foreign and disabled connectors, and ids of another tenant', async () => {
    const { t, q, connector } = await setup();
    const body = JSON.stringify({ events: abandonedCall(callId(), q.id, 5) });
    expectProblem(await deliver({ ...connector, id: 'con_nope' }, body), 404, 'NOT_FOUND');
    expectProblem(await deliver({ ...connector, id: `${connector.id.slice(0, -4)}zzzz` }, body), 404, 'NOT_FOUND');
    const other = await setup();
    const foreignQueue = JSON.stringify({
      events: [{ id: 'f1', type: 'queue.joined', occurredAt: at(1), interactionId: 'c1', queueId: other.q.id }],
    });
    const problem = expectProblem(await deliver(connector, foreignQueue), 404, 'UNKNOWN_REFERENCE');
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/events/0/queueId' })]);
    expect((await t.admin.patch(`/v1/connectors/${connector.id}`, { enabled: false })).status).toBe(200);
    expectProblem(await deliver(connector, body), 404, 'CONNECTOR_DISABLED');
    await nothingWritten(t, q.id);
  });

  it('unknown keys are rejected per event, or create the queue and agent when the connector says so', async () => {
    const rejecting = await setup();
    const ev = (interactionId: string, queueKey: string, agentKey?: string) => [
      { id: `${interactionId}:j`, type: 'queue.joined', occurredAt: at(1), interactionId, queueKey },
      {
        id: `${interactionId}:c`,
        type: 'agent.connected',
        occurredAt: at(9),
        interactionId,
        queueKey,
        ...(agentKey ? { agentKey } : { agentKey: 'ext-1' }),
      },
    ];
    const r1 = await deliver(rejecting.connector, JSON.stringify({ events: ev('c1', 'nobody-knows') }));
    expect(r1.body.results).toEqual([
      { id: 'c1:j', status: 'rejected', reason: 'unknown_queue_key' },
      { id: 'c1:c', status: 'rejected', reason: 'unknown_queue_key' },
    ]);
    const creating = await setup({ unknownKeys: 'create' });
    const r2 = await deliver(creating.connector, JSON.stringify({ events: ev('c2', 'billing', '2001') }));
    expect(r2.body).toMatchObject({ accepted: 2, rejected: 0 });
    const again = await deliver(creating.connector, JSON.stringify({ events: ev('c3', 'billing', '2001') }));
    expect(again.body).toMatchObject({ accepted: 2 });
    await settle(creating.t);
    const queues = (await creating.t.admin.get('/v1/queues')).body.data;
    const created = queues.find((x: { name: string }) => x.name === 'generic:billing');
    expect(created).toMatchObject({ externalKeys: [{ provider: 'generic', key: 'billing' }], archivedAt: null });
    expect(queues).toHaveLength(2); // the pre-existing one and one created, not one per delivery
    const agents = (await creating.t.admin.get('/v1/agents')).body.data;
    expect(agents).toEqual([
      expect.objectContaining({ name: 'generic:2001', externalKeys: [{ provider: 'generic', key: '2001' }] }),
    ]);
    const calls = (await creating.t.admin.get(`/v1/calls?queueId=${created.id}`)).body.data;
    expect(calls.map((c: { id: string }) => c.id).sort()).toEqual(['c2', 'c3']);
  });
});
