import { describe, expect, it } from 'vitest';
import {
  customerPayload,
  legsOf,
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
import { expectProblem } from '../helpers/api';
import { callId, settle, T0 } from '../helpers/ingest';
import { deliver, iso, setup } from './drivers/telnyx';

// Telnyx Call Control webhooks end to end: signed with an Ed25519 key whose public half is the connector's
// credential, posted to the connector's webhook path, read back from Postgres and from the queues' live state.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/telnyx.ts).
describe('POST /v1/webhooks/telnyx/{connectorId}', () => {
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
