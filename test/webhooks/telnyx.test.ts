import { describe, expect, it } from 'vitest';
import {
  bodyOf,
  customerPayload,
  legsOf,
  queuedCall,
  type TelnyxStep,
  telnyxBody,
  telnyxHeaders,
  telnyxKeyPair,
  telnyxTime,
  texmlCallSid,
  texmlEnqueueAction,
  texmlForm,
  texmlStatus,
  texmlWait,
} from '../adapters/telnyx/fixtures';
import { createAgent, createKey, createQueue, createTenant } from '../factories';
import { type ApiResponse, call, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { callId, sendEvents, settle, T0 } from '../helpers/ingest';
import { observeScenario, shuffled } from '../helpers/scenario';

// Telnyx Call Control webhooks end to end: signed with an Ed25519 key whose public half is the connector's
// credential, posted to the connector's webhook path, read back from Postgres and from the queues' live state.

async function setup() {
  const t = await createTenant();
  const sales = await createQueue(t, { externalKeys: [{ provider: 'telnyx', key: 'sales' }] });
  const billing = await createQueue(t, { externalKeys: [{ provider: 'telnyx', key: 'billing' }] });
  const alice = await createAgent(t, { queueIds: [sales.id, billing.id], externalKeys: [{ provider: 'telnyx', key: 'alice' }] });
  const bob = await createAgent(t, { queueIds: [billing.id], externalKeys: [{ provider: 'telnyx', key: 'bob' }] });
  const keys = await telnyxKeyPair();
  const res = await t.admin.post('/v1/connectors', {
    name: 'Telnyx',
    provider: 'telnyx',
    credentials: { publicKey: keys.publicKey },
  });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; webhookPath: string; credentials: string[] };
  expect(connector.webhookPath).toBe(`/v1/webhooks/telnyx/${connector.id}`);
  expect(connector.credentials).toEqual(['publicKey']);
  return { t, sales, billing, alice, bob, keys, connector };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** Posts a body as Telnyx does: signed now with the connector's key pair (or as `override` says). */
async function deliver(
  s: Setup,
  body: string,
  override: {
    privateKey?: CryptoKey;
    timestamp?: number;
    headers?: Record<string, string>;
    contentType?: string;
    query?: string;
  } = {},
): Promise<ApiResponse> {
  const signed = await telnyxHeaders(
    override.privateKey ?? s.keys.privateKey,
    body,
    override.timestamp ?? Math.floor(Date.now() / 1000),
  );
  const headers = override.headers ?? { ...signed, 'content-type': override.contentType ?? 'application/json' };
  return call('POST', `${s.connector.webhookPath}${override.query ?? ''}`, { rawBody: body, headers });
}

/** One day's calls: answered with a hold, abandoned, a short abandon, and a transfer from sales to billing. */
function scenario(run: string) {
  const at = (minutes: number) => T0 + minutes * 60_000;
  const ids = {
    answered: `${run}-answered`,
    abandoned: `${run}-abandoned`,
    short: `${run}-short`,
    transferred: `${run}-transferred`,
  };
  const steps: TelnyxStep[] = [
    ...queuedCall({
      session: ids.answered,
      queue: 'sales',
      agent: 'alice',
      t0: at(1),
      answerAfter: 12,
      talk: 150,
      hold: [40, 55],
    }),
    ...queuedCall({ session: ids.abandoned, queue: 'sales', agent: null, t0: at(2), answerAfter: 45 }),
    ...queuedCall({ session: ids.short, queue: 'sales', agent: null, t0: at(3), answerAfter: 3 }),
    ...queuedCall({
      session: ids.transferred,
      queue: 'sales',
      agent: 'bob',
      t0: at(4),
      answerAfter: 20,
      talk: 90,
      transferTo: 'billing',
    }),
  ];
  return { ids, bodies: steps.map(bodyOf) };
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
const observed = (s: Setup, ids: Record<string, string>) =>
  observeScenario(
    s.t,
    new Map([
      [s.sales.id, 'sales'],
      [s.billing.id, 'billing'],
      [s.alice.id, 'alice'],
      [s.bob.id, 'bob'],
    ]),
    [s.sales.id, s.billing.id],
    ids,
  );

const iso = (ms: number) => new Date(ms).toISOString();

describe('POST /v1/webhooks/telnyx/{connectorId}', () => {
  it('answered (wait, talk, hold), abandoned, short-abandoned and transferred calls land in Postgres and the live state', async () => {
    const s = await setup();
    const run = callId('tx');
    const { ids, bodies } = scenario(run);
    const accepted: number[] = [];
    for (const body of bodies) {
      const res = await deliver(s, body);
      expect(res.status, res.text).toBe(200);
      expect(res.body.rejected, res.text).toBe(0);
      accepted.push(res.body.accepted);
    }
    expect(accepted.reduce((a, b) => a + b)).toBe(10 + 4 + 4 + 10);
    await settle(s.t);

    const got = await observed(s, ids);
    const m = (minutes: number, seconds: number) => iso(T0 + minutes * 60_000 + seconds * 1000);
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      startedAt: m(1, 0),
      endedAt: m(1, 164),
      hangupCause: 'normal_clearing',
      endedBy: 'system',
      visits: [['sales', 'answered', 12_000, 'alice', m(1, 2), m(1, 14)]],
      // Talk is connected → disconnected minus the 15 s hold; Telnyx reports no wrap-up.
      segments: [['alice', 'sales', 135_000, 15_000, 1, null, 'agent']],
    });
    expect(got.calls.abandoned).toMatchObject({
      endedBy: 'customer',
      visits: [['sales', 'abandoned', 45_000, null, m(2, 2), m(2, 47)]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, m(3, 2), m(3, 5)]], segments: [] });
    const { serviceLevel } = (await s.t.admin.get('/v1/settings')).body;
    expect(3_000).toBeLessThanOrEqual(serviceLevel.shortAbandonSeconds * 1000);
    expect(45_000).toBeGreaterThan(serviceLevel.shortAbandonSeconds * 1000);
    expect(got.calls.transferred).toMatchObject({
      visits: [
        ['sales', 'transferred', 20_000, null, m(4, 2), m(4, 22)],
        ['billing', 'answered', 9_950, 'bob', iso(T0 + 4 * 60_000 + 22_050), m(4, 32)],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, 'agent']],
    });
    expect(got.live).toEqual({
      sales: { waiting: 0, offered: 4, answered: 1, abandoned: 2, flowedOut: 1, unknown: 0 },
      billing: { waiting: 0, offered: 1, answered: 1, abandoned: 0, flowedOut: 0, unknown: 0 },
    });
    expect(got.sql.visits).toEqual([
      [ids.abandoned, 'sales', 'abandoned', 45_000, null],
      [ids.answered, 'sales', 'answered', 12_000, 'alice'],
      [ids.short, 'sales', 'abandoned', 3_000, null],
      [ids.transferred, 'sales', 'transferred', 20_000, null],
      [ids.transferred, 'billing', 'answered', 9_950, 'bob'],
    ]);
    expect(got.sql.segments).toEqual([
      [ids.answered, 'alice', 135_000, 15_000],
      [ids.transferred, 'bob', 90_000, 0],
    ]);

    // Telnyx retries: every delivery again is all duplicates, and nothing changes.
    for (const [i, body] of bodies.entries()) {
      const res = await deliver(s, body);
      expect(res.status, res.text).toBe(200);
      expect([res.body.accepted, res.body.duplicates]).toEqual([0, accepted[i]]);
    }
    await settle(s.t);
    expect(await observed(s, ids)).toEqual(got);

    // The same deliveries out of order, some twice, to another tenant: the same records and counters.
    const other = await setup();
    for (const body of shuffled([...bodies, ...bodies.slice(0, 9)], 7)) {
      const res = await deliver(other, body);
      expect(res.status, res.text).toBe(200);
    }
    await settle(other.t);
    expect(await observed(other, ids)).toEqual(got);
  });

  it("an agent's break, which Telnyx does not report, comes through the generic ingest under the agent's Telnyx key", async () => {
    const s = await setup();
    const ingest = await createKey(s.t, { scopes: ['ingest'] });
    const presence = (minutes: number, state: string, reason?: string) => ({
      id: `${s.alice.id}:${minutes}`,
      type: 'agent.state_changed',
      occurredAt: iso(T0 + minutes * 60_000),
      agentKey: 'alice',
      attrs: { state, ...(reason ? { reason } : {}) },
    });
    await sendEvents(ingest.client, [presence(2, 'available'), presence(6, 'away', 'break'), presence(9, 'available')]);
    const live = (await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body;
    expect(live.agents.list).toEqual([{ agentId: s.alice.id, state: 'available', reason: null, since: iso(T0 + 9 * 60_000) }]);
    await settle(s.t);
    const rows = await asTenant(s.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.alice.id,
      ]),
    );
    expect(
      rows.map((r) => [r.state, r.reason, iso(Date.parse(r.started_at)), r.ended_at && iso(Date.parse(r.ended_at))]),
    ).toEqual([
      ['available', null, iso(T0 + 2 * 60_000), iso(T0 + 6 * 60_000)],
      ['away', 'break', iso(T0 + 6 * 60_000), iso(T0 + 9 * 60_000)],
      ['available', null, iso(T0 + 9 * 60_000), null],
    ]);
  });

  it('accepts and logs unknown and irrelevant event types as ignored', async () => {
    const s = await setup();
    const legs = legsOf(callId('tx-ign'));
    const time = telnyxTime(T0 + 60_000);
    const unknown = telnyxBody('message.finalized', 'evt-unknown-1', time, { id: 'msg-1', to: [{ status: 'delivered' }] });
    const ivr = telnyxBody('call.answered', 'evt-ivr-1', time, customerPayload(legs));
    for (const body of [unknown, ivr]) {
      const res = await deliver(s, body);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    }
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: unknown[];
      outcome: string;
    }[];
    expect(log.map((d) => [d.outcome, d.ignored])).toEqual([
      ['accepted', [{ what: 'call.answered', reason: "the customer's leg answered by the application (IVR), not by an agent" }]],
      ['accepted', [{ what: 'message.finalized', reason: 'not a call-center event' }]],
    ]);
  });

  it('TeXML: status callbacks, the wait URL and the <Enqueue> action (forms) are recorded and answered with TeXML', async () => {
    const s = await setup();
    const form = { contentType: 'application/x-www-form-urlencoded' };
    const abandoned = texmlCallSid(callId('texml-abandoned'));
    const answered = texmlCallSid(callId('texml-answered'));
    const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>${inner}`;
    const at = (seconds: number) => T0 + 60_000 + seconds * 1000;

    const started = await deliver(
      s,
      texmlForm(texmlStatus({ callSid: abandoned, status: 'initiated', atMs: at(0), seq: 0 })),
      form,
    );
    expect(started.status, started.text).toBe(200);
    expect(started.body).toMatchObject({ accepted: 1, rejected: 0 });
    // The wait URL: the join, answered with a wait document (a pause, or the tenant's hold music).
    const wait = await deliver(s, texmlForm(texmlWait({ callSid: abandoned, queue: 'sales', queueTimeS: 0 })), form);
    expect(wait.status, wait.text).toBe(200);
    expect(wait.headers.get('Content-Type')).toMatch(/^text\/xml/);
    expect(wait.text).toBe(xml('<Response><Pause length="60"/></Response>'));
    const music = 'https://cdn.example.com/hold.mp3';
    const again = await deliver(s, texmlForm(texmlWait({ callSid: abandoned, queue: 'sales', queueTimeS: 0 })), {
      ...form,
      query: `?holdMusic=${encodeURIComponent(music)}`,
    });
    expect(again.text).toBe(xml(`<Response><Play>${music}</Play></Response>`));
    // The caller hangs up in the queue: the action.
    const action = await deliver(
      s,
      texmlForm(texmlEnqueueAction({ callSid: abandoned, queue: 'sales', result: 'hangup', queueTimeS: 41 })),
      form,
    );
    expect(action.text).toBe(xml('<Response/>'));
    const ended = await deliver(
      s,
      texmlForm(texmlStatus({ callSid: abandoned, status: 'completed', atMs: at(45), seq: 3, durationS: 45 })),
      form,
    );
    // The end, and the start derived from its duration (another fact than `initiated`, at the same instant).
    expect(ended.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
    // Answered: bridged from the queue.
    await deliver(s, texmlForm(texmlWait({ callSid: answered, queue: 'sales', queueTimeS: 0 })), form);
    const bridged = await deliver(
      s,
      texmlForm(texmlEnqueueAction({ callSid: answered, queue: 'sales', result: 'bridged', queueTimeS: 20 })),
      form,
    );
    expect(bridged.text).toBe(xml('<Response/>'));
    await settle(s.t);

    const c = (await s.t.admin.get(`/v1/calls/${encodeURIComponent(abandoned)}`)).body;
    expect(c).toMatchObject({ startedAt: iso(at(0)), endedAt: iso(at(45)), hangupCause: 'completed' });
    expect(c.visits.map((v: any) => [v.queueId, v.outcome, v.closedBy])).toEqual([[s.sales.id, 'abandoned', 'event']]);
    const a = (await s.t.admin.get(`/v1/calls/${encodeURIComponent(answered)}`)).body;
    expect(a.visits.map((v: any) => [v.queueId, v.outcome])).toEqual([[s.sales.id, 'answered']]);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as any[];
    expect(log.map((d) => [d.outcome, d.accepted, d.duplicates])).toEqual([
      ['accepted', 1, 0],
      ['accepted', 1, 0],
      ['accepted', 2, 0],
      ['accepted', 1, 0],
      ['accepted', 0, 1],
      ['accepted', 1, 0],
      ['accepted', 1, 0],
    ]);
  });

  it('a Call Control v1 event is refused with a 422 that says to use v2; a TeXML form must be signed', async () => {
    const s = await setup();
    const legs = legsOf(callId('tx-v1'));
    const v1 = JSON.stringify({
      event_type: 'call.initiated',
      id: 'v1-e1',
      occurred_at: telnyxTime(T0),
      payload: customerPayload(legs),
    });
    const refused = expectProblem(await deliver(s, v1), 422, 'VALIDATION_FAILED');
    expect(refused.detail).toMatch(/v1 is not supported: use v2/);
    const body = texmlForm(
      texmlStatus({ callSid: texmlCallSid(callId('texml-unsigned')), status: 'initiated', atMs: T0, seq: 0 }),
    );
    const stranger = await telnyxKeyPair();
    expectProblem(
      await deliver(s, body, { privateKey: stranger.privateKey, contentType: 'application/x-www-form-urlencoded' }),
      401,
      'SIGNATURE_INVALID',
    );
    expectProblem(
      await deliver(s, body, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      401,
      'SIGNATURE_MISSING',
    );
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
  });

  it('refuses malformed payloads with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const legs = legsOf(callId('tx-bad'));
    const time = telnyxTime(T0 + 60_000);
    expectProblem(await deliver(s, '{"data": {"event_type": "call.hangup"'), 400, 'MALFORMED_JSON');
    expectProblem(
      await deliver(s, telnyxBody('call.hold', 'e1', time, customerPayload(legs)), { contentType: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const noSession = expectProblem(
      await deliver(s, telnyxBody('call.enqueued', 'e2', time, { queue: 'sales', call_leg_id: 'x' })),
      422,
      'VALIDATION_FAILED',
    );
    expect(noSession.errors?.map((e) => e.pointer)).toEqual(['/data/payload/call_session_id']);
    expectProblem(
      await deliver(s, telnyxBody('call.enqueued', 'e3', 'last tuesday', customerPayload(legs, { queue: 'sales' }))),
      422,
      'VALIDATION_FAILED',
    );

    const body = telnyxBody('call.enqueued', 'e4', time, customerPayload(legs, { queue: 'sales' }));
    const stranger = await telnyxKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const signed = await telnyxHeaders(s.keys.privateKey, body, now);
    expectProblem(await deliver(s, body, { privateKey: stranger.privateKey }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, body, { timestamp: now - 600 }), 401, 'SIGNATURE_EXPIRED');
    expectProblem(await deliver(s, body, { timestamp: now + 600 }), 401, 'SIGNATURE_EXPIRED');
    expectProblem(await deliver(s, body.replace('"sales"', '"billing"'), { headers: signed }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, body, { headers: { 'content-type': 'application/json' } }), 401, 'SIGNATURE_MISSING');

    const live = (await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body;
    expect(live).toMatchObject({ waiting: 0, today: { offered: 0 } });
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
    // The same body, properly signed, goes through.
    expect((await deliver(s, body)).body).toMatchObject({ accepted: 1 });
  });
});
