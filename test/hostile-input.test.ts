import { describe, expect, it } from 'vitest';
import { AUTH_TOKEN, callStatus, formBody, formPairs, type Params, sid, signTwilio, waitUrl } from './adapters/twilio/fixtures';
import { createAgent, createQueue, createTenant, type TestTenant } from './factories';
import { call, expectProblem, platform } from './helpers/api';
import { asTenant } from './helpers/db';
import { abandonedCall, answeredCall, at, callId, sendEvents, settle } from './helpers/ingest';
import { deliverSigned } from './helpers/webhooks';

// Client mistakes and hostile input end to end: text Postgres cannot store is refused at the edge
// (or cleaned, when a provider sent it), and no mistake of a client is ever a 500.

const NUL = '\u0000';
const LONE = '\ud83d'; // half of 😀

const b64url = (s: string) => btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');

/** What Postgres holds for the tenant once every outbox has drained. */
async function history(t: TestTenant) {
  await settle(t);
  return asTenant(t.id, async (q) => ({
    events: (await q('SELECT id FROM events ORDER BY id')).map((r) => r.id as string),
    interactions: (await q('SELECT id, caller_masked FROM interactions ORDER BY id')).map((r): [string, string | null] => [
      r.id,
      r.caller_masked,
    ]),
  }));
}

describe('text Postgres cannot store (U+0000, lone surrogates)', () => {
  it('is refused in wire events with a pointer to the field, and later traffic still reaches Postgres', async () => {
    const t = await createTenant();
    const q = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
    const a = await createAgent(t, { queueIds: [q.id] });
    const base = (type: string, extra: Record<string, unknown>) => ({
      id: `${type}-${callId()}`,
      type,
      occurredAt: at(1),
      interactionId: callId(),
      ...extra,
    });
    const cases: [Record<string, unknown>, string][] = [
      [base('interaction.ended', { attrs: { hangupCause: `x${NUL}y` } }), '/events/0/attrs/hangupCause'],
      [base('interaction.started', { interactionId: `call-${LONE}` }), '/events/0/interactionId'],
      [
        base('agent.state_changed', { interactionId: undefined, agentId: a.id, attrs: { state: 'away', reason: `lunch${NUL}` } }),
        '/events/0/attrs/reason',
      ],
      [base('queue.joined', { queueKey: `sales${NUL}` }), '/events/0/queueKey'],
      [base('interaction.started', { caller: `+420${LONE}601` }), '/events/0/caller'],
      [base('interaction.started', { legId: `leg${NUL}` }), '/events/0/legId'],
      [base('call.dispositioned', { attrs: { resolved: true, code: `${LONE}x` } }), '/events/0/attrs/code'],
    ];
    for (const [event, pointer] of cases) {
      const res = await t.admin.post('/v1/events', { events: [event] });
      const problem = expectProblem(res, 422, 'VALIDATION_FAILED');
      expect(problem.errors, pointer).toEqual([expect.objectContaining({ in: 'body', pointer })]);
    }
    // Through the generic webhook the same batch is refused the same way.
    const connector = (await t.admin.post('/v1/connectors', { name: 'forwarder', provider: 'generic' })).body;
    const webhook = await deliverSigned(connector, JSON.stringify({ events: [cases[0]?.[0]] }));
    const problem = expectProblem(webhook, 422, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/events/0/attrs/hangupCause' })]);

    const ordinary = callId('ordinary');
    await sendEvents(t.admin, abandonedCall(ordinary, q.id, 5));
    const after = await history(t);
    expect(after.interactions.map(([id]) => id)).toEqual([ordinary]);
    expect(after.events).toHaveLength(4);
  });

  it('a caller made of emoji is masked on code points, and the call reaches Postgres', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const a = await createAgent(t, { queueIds: [q.id] });
    const emoji = callId('emoji');
    const long = callId('long');
    await sendEvents(t.admin, answeredCall(emoji, q.id, a.id, { caller: 'a😀😀😀' }));
    await sendEvents(t.admin, answeredCall(long, q.id, a.id, { caller: 'a😀😀😀😀😀😀' }));
    const after = await history(t);
    expect(new Map(after.interactions)).toEqual(
      new Map([
        [emoji, '****'],
        [long, 'a😀😀😀*😀😀'],
      ]),
    );
  });

  it("is cleaned (U+FFFD), not refused, in a provider's signed callback, and reaches Postgres", async () => {
    const t = await createTenant();
    const queueSid = sid('WQ', 'support');
    await createQueue(t, { externalKeys: [{ provider: 'twilio', key: queueSid }] });
    const res = await t.admin.post('/v1/connectors', {
      name: 'Twilio',
      provider: 'twilio',
      credentials: { authToken: AUTH_TOKEN },
      options: { publicBaseUrl: 'http://callboard.test' },
    });
    expect(res.status, res.text).toBe(201);
    const path = res.body.webhookPath as string;
    const post = async (params: Params) => {
      const raw = formBody(params);
      const signature = await signTwilio(AUTH_TOKEN, `http://callboard.test${path}`, formPairs(raw));
      return call('POST', path, {
        rawBody: raw,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      });
    };
    const callSid = `${sid('CA', 'poison')}${NUL}`;
    const poisoned = await post(waitUrl({ callSid, queueSid, queueTimeS: 0, from: `+1415${NUL}5550100` }));
    expect(poisoned.status, poisoned.text).toBe(200);
    // A status Callboard does not map is ignored, and the delivery log lists it: cleaned there too.
    const ignored = await post(callStatus({ callSid: sid('CA', 'ignored'), status: NUL, atMs: Date.now() - 1000, seq: 0 }));
    expect(ignored.status, ignored.text).toBe(200);
    const ordinary = sid('CA', 'ordinary');
    expect((await post(waitUrl({ callSid: ordinary, queueSid, queueTimeS: 0 }))).status).toBe(200);

    const after = await history(t);
    expect(after.interactions.map(([id]) => id).sort()).toEqual([ordinary, `${sid('CA', 'poison')}\ufffd`].sort());
  });
});

describe('no 500 for a client mistake', () => {
  it('a NUL in a list filter is a 422 on the parameter', async () => {
    const t = await createTenant();
    for (const name of ['queueId', 'agentId']) {
      const problem = expectProblem(await t.admin.get(`/v1/calls?${name}=%00`), 422, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual([expect.objectContaining({ in: 'query', pointer: `/${name}` })]);
    }
  });

  it('a NUL in an admin string field is a 422 on the field, and nothing is written', async () => {
    const t = await createTenant();
    const q = await createQueue(t);
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['POST', '/v1/queues', { name: `Sales${NUL}` }, '/name'],
      ['POST', '/v1/queues', { name: 'Sales', externalKeys: [{ provider: 'generic', key: `k${NUL}` }] }, '/externalKeys/0/key'],
      ['PATCH', `/v1/queues/${q.id}`, { name: `x${LONE}` }, '/name'],
      ['POST', '/v1/sites', { name: `Prague${NUL}` }, '/name'],
      ['POST', '/v1/teams', { name: `Team${NUL}` }, '/name'],
      ['POST', '/v1/agents', { name: `Alice${NUL}` }, '/name'],
      ['POST', '/v1/agents', { name: 'Alice', email: `alice${NUL}@example.com` }, '/email'],
      ['POST', '/v1/api-keys', { name: `key${NUL}`, scopes: ['read'] }, '/name'],
      ['POST', '/v1/connectors', { name: `c${NUL}`, provider: 'generic' }, '/name'],
      [
        'POST',
        '/v1/connectors',
        { name: 'c', provider: 'generic', queueMappings: { sales: `${q.id}${NUL}` } },
        '/queueMappings/sales',
      ],
      [
        'POST',
        '/v1/connectors',
        { name: 'c', provider: 'generic', queueMappings: { [`s${NUL}`]: q.id } },
        `/queueMappings/s${NUL}`,
      ],
    ];
    for (const [method, path, body, pointer] of cases) {
      const res = await call(method, path, { token: t.adminKey, body });
      const problem = expectProblem(res, 422, 'VALIDATION_FAILED');
      expect(problem.errors, `${method} ${path} ${pointer}`).toEqual([expect.objectContaining({ in: 'body', pointer })]);
    }
    const tenant = expectProblem(await platform.post('/v1/tenants', { name: `T${NUL}` }), 422, 'VALIDATION_FAILED');
    expect(tenant.errors).toEqual([expect.objectContaining({ pointer: '/name' })]);
    expect((await t.admin.get('/v1/queues')).body.data.map((x: { name: string }) => x.name)).toEqual([q.name]);
    expect((await t.admin.get('/v1/sites')).body.data).toEqual([]);
    expect((await t.admin.get('/v1/connectors')).body.data).toEqual([]);
  });

  it('a calls cursor out of range, or naming text Postgres cannot hold, is a 422 on the cursor', async () => {
    const t = await createTenant();
    for (const cursor of ['WzFlMzAwLCJ4Il0', b64url('[-1e300,"x"]'), b64url(`[0,"x${NUL}"]`), b64url('[1.5,"x"]')]) {
      const problem = expectProblem(await t.admin.get(`/v1/calls?cursor=${cursor}`), 422, 'VALIDATION_FAILED');
      expect(problem.errors, cursor).toEqual([expect.objectContaining({ in: 'query', pointer: '/cursor' })]);
    }
  });

  it('a connector name already taken is a 409 on the name, on create and on rename', async () => {
    const t = await createTenant();
    const first = await t.admin.post('/v1/connectors', { name: 'PBX', provider: 'generic' });
    expect(first.status, first.text).toBe(201);
    const again = expectProblem(await t.admin.post('/v1/connectors', { name: 'PBX', provider: 'asterisk' }), 409, 'CONFLICT');
    expect(again.errors).toEqual([expect.objectContaining({ in: 'body', pointer: '/name' })]);
    const other = await t.admin.post('/v1/connectors', { name: 'Other', provider: 'generic' });
    expect(other.status).toBe(201);
    const rename = expectProblem(await t.admin.patch(`/v1/connectors/${other.body.id}`, { name: 'PBX' }), 409, 'CONFLICT');
    expect(rename.errors).toEqual([expect.objectContaining({ in: 'body', pointer: '/name' })]);
    expect((await t.admin.get('/v1/connectors')).body.data.map((c: { name: string }) => c.name).sort()).toEqual(['Other', 'PBX']);
  });
});

describe('the same event id twice in one batch', () => {
  it('ingests the first and answers the later ones duplicate, even when their content differs', async () => {
    const t = await createTenant();
    const q = await createQueue(t, { externalKeys: [{ provider: 'generic', key: 'sales' }] });
    const id = callId();
    const [start, join, left, end] = abandonedCall(id, q.id, 5) as Record<string, unknown>[];
    const changed = { ...left, attrs: { outcome: 'timeout' } };
    const result = await sendEvents(t.admin, [start, join, left, join, changed, end]);
    expect(result.results.map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
      'duplicate',
      'accepted',
    ]);
    expect(result).toMatchObject({ accepted: 4, duplicates: 2, rejected: 0 });
    const live = await t.admin.get(`/v1/queues/${q.id}/live`);
    expect(live.body.today).toMatchObject({ offered: 1, abandoned: 1 });

    // The generic webhook answers the same way.
    const connector = (await t.admin.post('/v1/connectors', { name: 'forwarder', provider: 'generic' })).body;
    const other = abandonedCall(callId(), q.id, 5);
    const webhook = await deliverSigned(connector, JSON.stringify({ events: [...other, other[0]] }));
    expect(webhook.status, webhook.text).toBe(200);
    expect(webhook.body).toMatchObject({ accepted: 4, duplicates: 1, rejected: 0 });

    const after = await history(t);
    expect(after.events).toHaveLength(8);
    const outcomes = await asTenant(t.id, (sql) =>
      sql('SELECT outcome FROM queue_visits WHERE interaction_id = $1', [id]).then((r) => r.map((x) => x.outcome)),
    );
    expect(outcomes).toEqual(['abandoned']);
  });

  it('a later copy of a rejected event is rejected the same way', async () => {
    const t = await createTenant();
    const e = { id: 'x', type: 'queue.joined', occurredAt: at(1), interactionId: callId(), queueKey: 'nobody' };
    const result = await sendEvents(t.admin, [e, e]);
    expect(result.results).toEqual([
      { id: 'x', status: 'rejected', reason: 'unknown_queue_key' },
      { id: 'x', status: 'rejected', reason: 'unknown_queue_key' },
    ]);
  });
});

describe('transfer.toQueueId', () => {
  it("naming another tenant's queue, or none, refuses the batch like an unknown queueId", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const q = await createQueue(t);
    const theirs = await createQueue(other);
    const a = await createAgent(t, { queueIds: [q.id] });
    const transfer = (toQueueId: string) => {
      const id = callId();
      return [
        { id: `${id}:join`, type: 'queue.joined', occurredAt: at(1), interactionId: id, queueId: q.id },
        {
          id: `${id}:transfer`,
          type: 'transfer',
          occurredAt: at(5),
          interactionId: id,
          agentId: a.id,
          attrs: { kind: 'queue', toQueueId },
        },
      ];
    };
    for (const target of [theirs.id, 'que_00000000000000000000000000']) {
      const res = await t.admin.post('/v1/events', { events: transfer(target) });
      const problem = expectProblem(res, 404, 'UNKNOWN_REFERENCE');
      expect(problem.errors).toEqual([{ in: 'body', pointer: '/events/1/attrs/toQueueId', detail: expect.any(String) }]);
    }
    expect((await t.admin.get(`/v1/queues/${q.id}/live`)).body.today.offered).toBe(0);
    const own = await sendEvents(t.admin, transfer(q.id));
    expect(own.accepted).toBe(2);
  });
});
