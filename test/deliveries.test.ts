import { describe, expect, it } from 'vitest';
import { createAgent, createQueue, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { asTenant } from './helpers/db';
import { abandonedCall, answeredCall, at, callId, settle } from './helpers/ingest';
import { deliverSigned } from './helpers/webhooks';

async function setup() {
  const t = await createTenant();
  const q = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
  const res = await t.admin.post('/v1/connectors', { name: 'PBX forwarder', provider: 'generic' });
  expect(res.status, res.text).toBe(201);
  return { t, q, connector: res.body as { id: string; secret: string } };
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString();

describe('GET /v1/connectors/{id}/deliveries', () => {
  it('logs accepted, partial and refused deliveries with why, the raw body and redacted credentials', async () => {
    const { t, q, connector } = await setup();
    const good = JSON.stringify({ events: abandonedCall(callId(), q.id, 30) });
    const accepted = await deliverSigned(connector, good, { id: 'msg_ok' });
    expect(accepted.status, accepted.text).toBe(200);
    const unknownKey = JSON.stringify({
      events: [{ id: 'p1', type: 'queue.joined', occurredAt: at(5), interactionId: 'p', queueKey: 'nobody' }],
    });
    expect((await deliverSigned(connector, unknownKey)).body).toMatchObject({ rejected: 1 });
    expectProblem(await deliverSigned(connector, good, { signature: 'v1,AAAA' }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliverSigned(connector, '{"events": ['), 400, 'MALFORMED_JSON');
    await settle(t);

    const res = await t.admin.get(`/v1/connectors/${connector.id}/deliveries`);
    expect(res.status, res.text).toBe(200);
    const list = res.body.data as Record<string, any>[];
    expect(list.map((d) => [d.outcome, d.httpStatus, d.reason, d.verified])).toEqual([
      ['rejected', 400, 'MALFORMED_JSON', true],
      ['rejected', 401, 'SIGNATURE_INVALID', false],
      ['partial', 200, 'unknown_queue_key', true],
      ['accepted', 200, null, true],
    ]);
    const ok = list[3] as Record<string, any>;
    expect(ok).toMatchObject({
      connectorId: connector.id,
      requestId: accepted.headers.get('X-Request-Id'),
      method: 'POST',
      url: `http://callboard.test/v1/webhooks/generic/${connector.id}`,
      contentType: 'application/json',
      body: good,
      bodyTruncated: false,
      events: 4,
      accepted: 4,
      duplicates: 0,
      rejected: 0,
      ignored: [],
    });
    expect(ok.headers['webhook-id']).toBe('msg_ok');
    expect(ok.headers['webhook-signature']).toMatch(/^v1,/);
    expect(list[1]?.detail).toMatch(/signature/i);

    const refused = await t.admin.get(`/v1/connectors/${connector.id}/deliveries?outcome=rejected&limit=1`);
    expect(refused.body.data.map((d: { httpStatus: number }) => d.httpStatus)).toEqual([400]);
    const next = await t.admin.get(
      `/v1/connectors/${connector.id}/deliveries?outcome=rejected&limit=1&cursor=${refused.body.nextCursor}`,
    );
    expect(next.body.data.map((d: { httpStatus: number }) => d.httpStatus)).toEqual([401]);
    expect(next.body.nextCursor).toBeNull();
    const future = await t.admin.get(`/v1/connectors/${connector.id}/deliveries?from=${encodeURIComponent(day(1))}`);
    expect(future.body.data).toEqual([]);
    expectProblem(await t.admin.get('/v1/connectors/con_nope/deliveries'), 404, 'NOT_FOUND');
  });

  it('logs each delivery once with what its events became, whichever object writes it last', async () => {
    // One queue and nothing to relay: the queue logs it in its batch's transaction. Two queues, or queue-less
    // events relayed to a queue new to the call: the tenant logs it once every queue has committed.
    const { t, q, connector } = await setup();
    const q2 = await createQueue(t);
    const one = JSON.stringify({ events: abandonedCall(callId(), q.id, 30) });
    expect((await deliverSigned(connector, one, { id: 'msg_one' })).body).toMatchObject({ accepted: 4 });
    expect((await deliverSigned(connector, one, { id: 'msg_again' })).body).toMatchObject({ duplicates: 4 });
    const two = JSON.stringify({ events: [...abandonedCall(callId(), q.id, 20), ...abandonedCall(callId(), q2.id, 10)] });
    expect((await deliverSigned(connector, two, { id: 'msg_two' })).body).toMatchObject({ accepted: 8 });
    const later = callId();
    const parked = JSON.stringify({
      events: [
        { id: `${later}:start`, type: 'interaction.started', occurredAt: at(0), interactionId: later, direction: 'inbound' },
      ],
    });
    expect((await deliverSigned(connector, parked, { id: 'msg_parked' })).body).toMatchObject({ accepted: 1 });
    const joined = JSON.stringify({ events: abandonedCall(later, q.id, 5).slice(1) });
    expect((await deliverSigned(connector, joined, { id: 'msg_joined' })).body).toMatchObject({ accepted: 3 });
    await settle(t);

    const list = (await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data as Record<string, any>[];
    const byMessage = new Map(list.map((d) => [d.headers['webhook-id'], [d.outcome, d.events, d.accepted, d.duplicates]]));
    expect(list).toHaveLength(5);
    expect(Object.fromEntries(byMessage)).toEqual({
      msg_one: ['accepted', 4, 4, 0],
      msg_again: ['accepted', 4, 0, 4],
      msg_two: ['accepted', 8, 8, 0],
      msg_parked: ['accepted', 1, 1, 0],
      msg_joined: ['accepted', 3, 3, 0],
    });
  });

  it('answers and logs each of many concurrent deliveries to one queue on its own, repeats among them once', async () => {
    // Batches routed while the queue's previous call is in flight go to it together (QueueLink): each delivery
    // must still get its own results and its own log row, and an event two of them carry counts once.
    const { t, q, connector } = await setup();
    const calls = Array.from({ length: 8 }, () => callId('concurrent'));
    const bodies = calls.map((id, i) => JSON.stringify({ events: abandonedCall(id, q.id, 10 + i) }));
    // Each body twice, under another message id: 16 deliveries in flight at once.
    const answers = await Promise.all(
      [...bodies, ...bodies].map((body, i) => deliverSigned(connector, body, { id: `msg_c${i}` })),
    );
    for (const a of answers) expect(a.status, a.text).toBe(200);
    const accepted = answers.map((a) => a.body.accepted as number);
    const duplicates = answers.map((a) => a.body.duplicates as number);
    // Of each pair, one took all four events and the other found them all taken.
    for (let i = 0; i < bodies.length; i++) {
      expect([accepted[i], accepted[i + bodies.length]].sort()).toEqual([0, 4]);
      expect((duplicates[i] ?? 0) + (duplicates[i + bodies.length] ?? 0)).toBe(4);
    }
    await settle(t);

    const list = (await t.admin.get(`/v1/connectors/${connector.id}/deliveries?limit=50`)).body.data as Record<string, any>[];
    expect(list).toHaveLength(16);
    const logged = new Map(list.map((d) => [d.headers['webhook-id'], [d.accepted, d.duplicates]]));
    answers.forEach((a, i) => {
      expect(logged.get(`msg_c${i}`)).toEqual([a.body.accepted, a.body.duplicates]);
    });
    const stored = await asTenant(t.id, (sql) =>
      sql(
        `SELECT count(*)::int AS events, count(DISTINCT interaction_id)::int AS calls FROM events
          WHERE tenant_id = $1 AND interaction_id = ANY($2)`,
        [t.id, calls],
      ),
    );
    expect(stored).toEqual([{ events: 32, calls: 8 }]);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today).toMatchObject({ offered: 8, abandoned: 8 });
  });

  it("keeps deliveries for the tenant's raw-retention days", async () => {
    const { t, q, connector } = await setup();
    expect((await t.admin.patch('/v1/settings', { rawRetentionDays: 3 })).status).toBe(200);
    await deliverSigned(connector, JSON.stringify({ events: abandonedCall(callId(), q.id, 10) }));
    await settle(t);
    // Age the logged delivery past the retention, as if received 4 days ago.
    await asTenant(t.id, (sql) =>
      sql(`UPDATE connector_deliveries SET received_at = now() - interval '4 days' WHERE connector_id = $1`, [connector.id]),
    );
    expect((await t.admin.get(`/v1/connectors/${connector.id}/deliveries`)).body.data).toEqual([]);
    // The next delivery written purges it for good.
    await deliverSigned(connector, JSON.stringify({ events: abandonedCall(callId(), q.id, 12) }));
    await settle(t);
    const rows = await asTenant(t.id, (sql) =>
      sql("SELECT received_at > now() - interval '1 day' AS recent FROM connector_deliveries WHERE connector_id = $1", [
        connector.id,
      ]),
    );
    expect(rows).toEqual([{ recent: true }]);
  });
});

describe('POST /v1/connectors/{id}/renormalize', () => {
  it('applies only what changed, once', async () => {
    const { t, q, connector } = await setup();
    const id = callId('renorm');
    const body = JSON.stringify({ events: abandonedCall(id, q.id, 40) });
    expect((await deliverSigned(connector, body)).status).toBe(200);
    await deliverSigned(connector, body); // the provider's retry: all duplicates
    await settle(t);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today).toMatchObject({ offered: 1, abandoned: 1, flowedOut: 0 });

    // As if the adapter now read the same bytes differently: the call left the queue on a timeout.
    await asTenant(t.id, (sql) =>
      sql(`UPDATE connector_deliveries SET body = replace(body, '"abandoned"', '"timeout"') WHERE connector_id = $1`, [
        connector.id,
      ]),
    );
    const range = { from: day(-1), to: day(1) };
    const first = await t.admin.post(`/v1/connectors/${connector.id}/renormalize`, range);
    expect(first.status, first.text).toBe(200);
    // Both deliveries are read again; their events are counted once.
    expect(first.body).toEqual({
      deliveries: 2,
      skipped: 0,
      events: 4,
      accepted: 0,
      revised: 1,
      unchanged: 3,
      rejected: 0,
      nextFrom: null,
    });
    await settle(t);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today).toMatchObject({ offered: 1, abandoned: 0, flowedOut: 1 });
    const call = await t.admin.get(`/v1/calls/${id}`);
    expect(call.body.visits.map((v: { outcome: string }) => v.outcome)).toEqual(['timeout']);
    const events = await asTenant(t.id, (sql) =>
      sql(
        `SELECT attrs->>'outcome' AS outcome FROM events WHERE tenant_id = $1 AND type = 'queue.left' AND interaction_id = $2`,
        [t.id, id],
      ),
    );
    expect(events).toEqual([{ outcome: 'timeout' }]);

    const again = await t.admin.post(`/v1/connectors/${connector.id}/renormalize`, range);
    expect(again.body).toMatchObject({ deliveries: 2, revised: 0, unchanged: 4, accepted: 0 });
    await settle(t);
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today).toMatchObject({ offered: 1, abandoned: 0, flowedOut: 1 });
  });

  it('revises queue-less and presence events too', async () => {
    const { t, q, connector } = await setup();
    const agent = await createAgent(t, { queueIds: [q.id] });
    const id = callId('renorm-hold');
    const presence = {
      id: `${id}:away`,
      type: 'agent.state_changed',
      occurredAt: at(200),
      agentId: agent.id,
      attrs: { state: 'away', reason: 'Lunch' },
    };
    // A caller without a number: the body is stored as it came (a number would be masked, the exact body sealed).
    const body = JSON.stringify({ events: [...answeredCall(id, q.id, agent.id, { caller: 'anonymous' }), presence] });
    expect((await deliverSigned(connector, body)).body).toMatchObject({ accepted: 12 });
    await settle(t);
    const segment = async () => (await t.admin.get(`/v1/calls/${id}`)).body.segments[0];
    expect(await segment()).toMatchObject({ holdMs: 15_000, holdCount: 1 });

    // The hold really ended at 70 s, and the agent went on a break, not to lunch.
    await asTenant(t.id, (sql) =>
      sql(`UPDATE connector_deliveries SET body = replace(replace(body, $2, $3), '"Lunch"', '"Break"') WHERE connector_id = $1`, [
        connector.id,
        `"${at(55)}"`,
        `"${at(70)}"`,
      ]),
    );
    const res = await t.admin.post(`/v1/connectors/${connector.id}/renormalize`, { from: day(-1), to: day(1) });
    expect(res.body).toMatchObject({ deliveries: 1, events: 12, revised: 2, unchanged: 10 });
    await settle(t);
    expect(await segment()).toMatchObject({ holdMs: 30_000, holdCount: 1 });
    const intervals = await asTenant(t.id, (sql) =>
      sql('SELECT state, reason FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [agent.id]),
    );
    expect(intervals).toEqual([{ state: 'away', reason: 'Break' }]);
  });

  it('skips unverified deliveries and refuses a bad range', async () => {
    const { t, q, connector } = await setup();
    await deliverSigned(connector, JSON.stringify({ events: abandonedCall(callId(), q.id, 10) }), { signature: 'v1,AAAA' });
    await settle(t);
    const res = await t.admin.post(`/v1/connectors/${connector.id}/renormalize`, { from: day(-1), to: day(1) });
    expect(res.body).toMatchObject({ deliveries: 0, events: 0 });
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today.offered).toBe(0);
    const bad = expectProblem(
      await t.admin.post(`/v1/connectors/${connector.id}/renormalize`, { from: day(1), to: day(-1) }),
      422,
      'VALIDATION_FAILED',
    );
    expect(bad.errors?.map((e) => e.pointer)).toEqual(['/to']);
  });
});
