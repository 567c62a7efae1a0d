import { describe, expect, it } from 'vitest';
import { agentEvent, contactEvent, contactEvents, firehoseDelivery } from '../adapters/amazon-connect/fixtures';
import { expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { callId, settle } from '../helpers/ingest';
import { ALICE, API_KEY, deliver, FIREHOSE_KEY, iso, m, SALES, setup } from './drivers/amazon-connect';

// Amazon Connect end to end: contact events through an EventBridge API destination (API key header),
// Agent Event Stream records through a Kinesis Data Firehose HTTP endpoint (access key header), both
// to one connector; read back from Postgres and from the queues' live state.
// The common day, its duplicates and its shuffled replay are in conformance.test.ts (driver: drivers/amazon-connect.ts).
describe('POST /v1/webhooks/amazon-connect/{connectorId}', () => {
  it('an agent going on break: status changes from the Agent Event Stream become state intervals and live presence', async () => {
    const s = await setup();
    const run = callId('ac-brk');
    const at = (s_: number) => iso(m(0, s_));
    const available = { name: 'Available', type: 'ROUTABLE' as const, since: 120 };
    const lunch = { name: 'Lunch', type: 'CUSTOM' as const, since: 360 };
    const back = { name: 'Available', type: 'ROUTABLE' as const, since: 540 };
    const records = [
      agentEvent({ eventId: `${run}-1`, type: 'LOGIN', at: 120, agent: ALICE, status: available }, at),
      agentEvent(
        { eventId: `${run}-2`, type: 'STATE_CHANGE', at: 360, agent: ALICE, status: lunch, previous: { status: available } },
        at,
      ),
      agentEvent({ eventId: `${run}-3`, type: 'HEART_BEAT', at: 480, agent: ALICE, status: lunch }, at),
      agentEvent(
        { eventId: `${run}-4`, type: 'STATE_CHANGE', at: 540, agent: ALICE, status: back, previous: { status: lunch } },
        at,
      ),
    ];
    // One Firehose batch, arriving out of order.
    const res = await deliver(s, {
      kind: 'firehose',
      requestId: `${run}-fh`,
      records: [records[3], records[1], records[0], records[2]],
    });
    expect(res.status, res.text).toBe(200);
    for (const q of [s.sales, s.billing]) {
      const live = (await s.t.admin.get(`/v1/queues/${q.id}/live`)).body;
      expect(live.agents.list).toEqual([
        { agentId: s.alice.id, state: 'available', reason: null, since: iso(m(9)), timeInStateMs: expect.any(Number) },
      ]);
    }
    await settle(s.t);
    const rows = await asTenant(s.t.id, (q) =>
      q('SELECT state, reason, started_at, ended_at FROM agent_state_intervals WHERE agent_id = $1 ORDER BY started_at', [
        s.alice.id,
      ]),
    );
    expect(
      rows.map((r) => [r.state, r.reason, iso(Date.parse(r.started_at)), r.ended_at && iso(Date.parse(r.ended_at))]),
    ).toEqual([
      ['available', null, iso(m(2)), iso(m(6))],
      ['away', 'Lunch', iso(m(6)), iso(m(9))],
      ['available', null, iso(m(9)), null],
    ]);
    // The heart beat was accepted and listed as ignored.
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: { what: string }[];
    }[];
    expect(log[0]?.ignored.map((i) => i.what)).toEqual(['/records/3 agent event HEART_BEAT']);
  });

  it('accepts and logs unknown and irrelevant events as ignored', async () => {
    const s = await setup();
    const contactId = callId('ac-ign');
    const updated = contactEvent(`${contactId}-u`, iso(m(1)), {
      eventType: 'CONTACT_DATA_UPDATED',
      contactId,
      updatedProperties: ['Tags'],
    });
    const lens = {
      ...contactEvent(`${contactId}-l`, iso(m(1)), { contactId }),
      'detail-type': 'Contact Lens Realtime Rules Matched',
    };
    for (const event of [updated, lens]) {
      const res = await deliver(s, { kind: 'eventbridge', event });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [], accepted: 0, duplicates: 0, rejected: 0 });
    }
    await settle(s.t);
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: { what: string }[];
      outcome: string;
    }[];
    expect(log.map((d) => [d.outcome, d.ignored.map((i) => i.what)])).toEqual([
      ['accepted', ['Contact Lens Realtime Rules Matched']],
      ['accepted', ['contact event CONTACT_DATA_UPDATED']],
    ]);
  });

  it('refuses malformed payloads with problem+json 4xx and missing or wrong keys with 401, writing nothing', async () => {
    const s = await setup();
    const contactId = callId('ac-bad');
    const queued = contactEvents({ contactId, initiated: 0, queue: { arn: SALES, enqueued: 2 } }, (x) =>
      iso(m(1, x)),
    )[1] as Record<string, unknown>;
    const eb = { kind: 'eventbridge' as const, event: queued };
    const json = { 'Content-Type': 'application/json', 'x-api-key': API_KEY };
    expectProblem(await deliver(s, eb, json, '{"detail": {'), 400, 'MALFORMED_JSON');
    expectProblem(await deliver(s, eb, { ...json, 'Content-Type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const noContact = expectProblem(
      await deliver(s, {
        kind: 'eventbridge',
        event: { ...queued, detail: { ...(queued.detail as object), contactId: undefined } },
      }),
      422,
      'VALIDATION_FAILED',
    );
    expect(noContact.errors?.map((e) => e.pointer)).toEqual(['/detail/contactId']);
    expectProblem(await deliver(s, eb, json, '"just a string"'), 422, 'VALIDATION_FAILED');

    // No payload signature exists: the connector's API key or Firehose access key is the credential.
    expectProblem(await deliver(s, eb, { 'Content-Type': 'application/json' }), 401, 'SIGNATURE_MISSING');
    expectProblem(await deliver(s, eb, { ...json, 'x-api-key': `${API_KEY}0` }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, eb, { ...json, 'x-api-key': FIREHOSE_KEY }), 401, 'SIGNATURE_INVALID');
    const fh = { kind: 'firehose' as const, requestId: `${contactId}-fh`, records: [queued] };
    const fhHeaders = { 'Content-Type': 'application/json', 'X-Amz-Firehose-Request-Id': fh.requestId };
    expectProblem(await deliver(s, fh, { ...fhHeaders, 'X-Amz-Firehose-Access-Key': 'not-the-key' }), 401, 'SIGNATURE_INVALID');
    expectProblem(await deliver(s, fh, fhHeaders), 401, 'SIGNATURE_MISSING');

    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body).toMatchObject({ waiting: 0, today: { offered: 0 } });
    expect((await s.t.admin.get('/v1/calls')).body.data).toEqual([]);

    // In a Firehose batch a record that cannot be read is listed as ignored; the others go through.
    const batch = firehoseDelivery(fh.requestId, Date.now(), [queued]);
    (batch.records as unknown[]).push({ data: 'bm90IGpzb24=' });
    const res = await deliver(s, fh, undefined, JSON.stringify(batch));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ requestId: fh.requestId, timestamp: expect.any(Number) });
    await settle(s.t);
    expect((await s.t.admin.get(`/v1/queues/${s.sales.id}/live`)).body).toMatchObject({ waiting: 1, today: { offered: 1 } });
    const log = (await s.t.admin.get(`/v1/connectors/${s.connector.id}/deliveries`)).body.data as {
      ignored: { what: string; reason: string }[];
      accepted: number;
    }[];
    expect([log[0]?.accepted, log[0]?.ignored]).toEqual([2, [{ what: '/records/1', reason: 'The record data is not JSON.' }]]);
  });
});
