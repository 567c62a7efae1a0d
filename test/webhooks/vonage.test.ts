import { describe, expect, it } from 'vitest';
import {
  agentLegOf,
  agentQuery,
  customerLegOf,
  notifyBody,
  statusBody,
  transferBody,
  vonageJwt,
} from '../adapters/vonage/fixtures';
import { expectProblem } from '../helpers/api';
import { callId, settle, T0 } from '../helpers/ingest';
import { deliver, iso, SECRET, setup } from './drivers/vonage';

// Vonage Voice API callbacks end to end: each signed with a fresh HS256 JWT over the body's SHA-256, as Vonage
// signs every request (a retry too), posted to the connector's webhook path — agents' legs with the
// `?agent=…&call=…` event-URL query of docs/providers/vonage.md — and read back from Postgres and the queues' live state.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/vonage.ts).
describe('POST /v1/webhooks/vonage/{connectorId}', () => {
  it('accepts and logs unknown and irrelevant callbacks as ignored', async () => {
    const s = await setup();
    const id = callId('vg-ign');
    const time = iso(T0 + 60_000);
    const callbacks = [
      transferBody(id, `CON-${id}`, `CON-sales-${id}`, time),
      JSON.stringify({ recording_url: 'https://api.nexmo.com/v1/files/aaaa', conversation_uuid: `CON-${id}`, timestamp: time }),
      notifyBody({ step: 'menu-1' }, `CON-${id}`, time),
      // Answering machine detection, as Vonage sends it: the leg is `call_uuid` (no `uuid`).
      JSON.stringify({
        call_uuid: id,
        conversation_uuid: `CON-${id}`,
        status: 'human',
        from: '447700900000',
        to: '447700900001',
        timestamp: time,
      }),
    ];
    for (const body of callbacks) {
      const res = await deliver(s, { body, query: '' });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    }
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: unknown[];
      outcome: string;
    }[];
    expect(log.map((d) => [d.outcome, d.ignored])).toEqual([
      ['accepted', [{ what: 'status:human', reason: 'answering machine detection: no queue or agent fact' }]],
      ['accepted', [{ what: 'notify', reason: 'no callboard object in the payload' }]],
      ['accepted', [{ what: 'record', reason: 'not a call-center event' }]],
      ['accepted', [{ what: 'transfer', reason: 'a leg moved between conversations; queue moves come from notify' }]],
    ]);
  });

  it('refuses malformed payloads with problem+json 4xx and bad signatures with 401, writing nothing', async () => {
    const s = await setup();
    const id = callId('vg-bad');
    const time = iso(T0 + 60_000);
    const customer = customerLegOf(id);
    expectProblem(await deliver(s, { body: '{"status": "started"', query: '' }), 400, 'MALFORMED_JSON');
    expectProblem(
      await deliver(s, { body: statusBody('started', customer, time), query: '' }, { contentType: 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const badNotify = notifyBody({ callboard: { call: id, event: 'queue.joined' } }, `CON-${id}`, time);
    const notifyProblem = expectProblem(await deliver(s, { body: badNotify, query: '' }), 422, 'VALIDATION_FAILED');
    expect(notifyProblem.errors?.map((e) => e.pointer)).toEqual(['/payload/callboard/queue']);
    const agentLeg = statusBody('ringing', agentLegOf(id, 'alice'), time);
    const tagProblem = expectProblem(await deliver(s, { body: agentLeg, query: '?agent=alice' }), 422, 'VALIDATION_FAILED');
    expect(tagProblem.errors).toEqual([expect.objectContaining({ in: 'query', pointer: '/call' })]);

    const step = {
      body: notifyBody({ callboard: { call: id, event: 'queue.joined', queue: 'sales' } }, `CON-${id}`, time),
      query: '',
    };
    const now = Math.floor(Date.now() / 1000);
    expectProblem(await deliver(s, step, { secret: 'not-the-signature-secret' }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, step, { iatSeconds: now - 600 }), 401, 'SIGNATURE_EXPIRED');
    expectProblem(await deliver(s, step, { iatSeconds: now + 600 }), 401, 'SIGNATURE_EXPIRED');
    const token = await vonageJwt(SECRET, step.body);
    const tampered = { body: step.body.replace('"sales"', '"billing"'), query: '' };
    expectProblem(
      await deliver(s, tampered, { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }),
      401,
      'SIGNATURE_INVALID',
    );
    expectProblem(await deliver(s, step, { headers: { 'content-type': 'application/json' } }), 401, 'SIGNATURE_MISSING');

    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body).toMatchObject({ waiting: 0, today: { offered: 0 } });
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);
    // The same callback, properly signed, goes through, and an agent's leg with both tags too.
    expect((await deliver(s, step)).body).toMatchObject({ accepted: 1 });
    expect((await deliver(s, { body: agentLeg, query: agentQuery(id, 'alice') })).body).toMatchObject({ accepted: 1 });
  });
});
