import { describe, expect, it } from 'vitest';
import {
  agentArn,
  agentCallRecords,
  agentEvent,
  type ContactPlan,
  contactEvent,
  contactEvents,
  firehoseDelivery,
  queueArn,
} from '../adapters/amazon-connect/fixtures';
import { createAgent, createQueue, createTenant } from '../factories';
import { type ApiResponse, call, expectProblem } from '../helpers/api';
import { asTenant } from '../helpers/db';
import { callId, settle, T0 } from '../helpers/ingest';
import { shuffled } from '../helpers/scenario';

// Amazon Connect end to end: contact events through an EventBridge API destination (API key header),
// Agent Event Stream records through a Kinesis Data Firehose HTTP endpoint (access key header), both
// to one connector; read back from Postgres and from the queues' live state.

const SALES = queueArn('5a1e5000-0000-4000-8000-000000000001');
const BILLING = queueArn('b1111000-0000-4000-8000-000000000002');
const ALICE = agentArn('a11ce000-0000-4000-8000-000000000003');
const BOB = agentArn('b0b00000-0000-4000-8000-000000000004');
const API_KEY = 'eb-api-key-0123456789abcdef';
const FIREHOSE_KEY = 'firehose-access-key-fedcba9876543210';

async function setup() {
  const t = await createTenant();
  const sales = await createQueue(t, { externalKeys: [{ provider: 'amazon-connect', key: SALES }] });
  const billing = await createQueue(t, { externalKeys: [{ provider: 'amazon-connect', key: BILLING }] });
  const alice = await createAgent(t, {
    queueIds: [sales.id, billing.id],
    externalKeys: [{ provider: 'amazon-connect', key: ALICE }],
  });
  const bob = await createAgent(t, { queueIds: [billing.id], externalKeys: [{ provider: 'amazon-connect', key: BOB }] });
  const res = await t.admin.post('/v1/connectors', {
    name: 'Amazon Connect',
    provider: 'amazon-connect',
    credentials: { apiKey: API_KEY, firehoseAccessKey: FIREHOSE_KEY },
  });
  expect(res.status, res.text).toBe(201);
  const connector = res.body as { id: string; webhookPath: string; credentials: string[] };
  expect(connector.webhookPath).toBe(`/v1/webhooks/amazon-connect/${connector.id}`);
  expect(connector.credentials.sort()).toEqual(['apiKey', 'firehoseAccessKey']);
  return { t, sales, billing, alice, bob, connector };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** A delivery: one EventBridge event for the API destination, or agent records for Firehose. */
type Delivery =
  | { kind: 'eventbridge'; event: Record<string, unknown> }
  | { kind: 'firehose'; requestId: string; records: unknown[] };

async function deliver(s: Setup, d: Delivery, headers?: Record<string, string>, rawBody?: string): Promise<ApiResponse> {
  if (d.kind === 'eventbridge') {
    return call('POST', s.connector.webhookPath, {
      rawBody: rawBody ?? JSON.stringify(d.event),
      headers: headers ?? { 'Content-Type': 'application/json; charset=utf-8', 'x-api-key': API_KEY },
    });
  }
  return call('POST', s.connector.webhookPath, {
    rawBody: rawBody ?? JSON.stringify(firehoseDelivery(d.requestId, Date.now(), d.records)),
    headers: headers ?? {
      'Content-Type': 'application/json',
      'X-Amz-Firehose-Protocol-Version': '1.0',
      'X-Amz-Firehose-Request-Id': d.requestId,
      'X-Amz-Firehose-Access-Key': FIREHOSE_KEY,
    },
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const m = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;

/** One day's calls: answered with a hold and after-contact work, abandoned, short-abandoned, and moved to billing. */
function scenario(run: string) {
  const ids = { answered: `${run}-ans`, abandoned: `${run}-abd`, short: `${run}-sht`, transferred: `${run}-trf` };
  const within = (minute: number) => (s: number) => iso(m(minute, s));
  const plans: [ContactPlan, number][] = [
    [
      {
        contactId: ids.answered,
        caller: '+14155550100',
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        agent: { arn: ALICE, connected: 12, acw: { start: 132, end: 162 } },
        disconnected: { at: 132, reason: 'CUSTOMER_DISCONNECT' },
      },
      1,
    ],
    [
      {
        contactId: ids.abandoned,
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        disconnected: { at: 47, reason: 'CUSTOMER_DISCONNECT' },
      },
      2,
    ],
    [
      {
        contactId: ids.short,
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        disconnected: { at: 5, reason: 'CUSTOMER_DISCONNECT' },
      },
      3,
    ],
    // The customer queue flow's transfer block moves the caller to billing: the waiting contact ends, a new one begins.
    [
      {
        contactId: ids.transferred,
        initiated: 0,
        queue: { arn: SALES, enqueued: 2 },
        disconnected: { at: 22, reason: 'CONTACT_FLOW_DISCONNECT' },
      },
      4,
    ],
    [
      {
        contactId: `${ids.transferred}-2`,
        initialContactId: ids.transferred,
        previousContactId: ids.transferred,
        initiationMethod: 'QUEUE_TRANSFER',
        initiated: 22.02,
        queue: { arn: BILLING, enqueued: 22.05 },
        agent: { arn: BOB, connected: 32 },
        disconnected: { at: 122, reason: 'CUSTOMER_DISCONNECT' },
      },
      4,
    ],
  ];
  const deliveries: Delivery[] = plans.flatMap(([plan, minute]) =>
    contactEvents(plan, within(minute)).map((event) => ({ kind: 'eventbridge' as const, event })),
  );
  // Alice's agent events for the answered call: rung, connected, a 15 s hold, the end and 30 s of after-contact work.
  const records = agentCallRecords(
    {
      agent: ALICE,
      contactId: ids.answered,
      queue: { arn: SALES, name: 'Sales', enqueued: 2 },
      available: -60,
      offered: 9,
      connected: 12,
      hold: { start: 40, end: 55 },
      ended: 132,
      cleared: 162,
    },
    within(1),
  );
  deliveries.push(...records.map((r, i) => ({ kind: 'firehose' as const, requestId: `${run}-fh-${i}`, records: [r] })));
  return { ids, deliveries };
}

/** The calls, their visits and segments, and the live counters, with Callboard ids replaced by role names. */
async function observed(s: Setup, ids: Record<string, string>) {
  const names = new Map([
    [s.sales.id, 'sales'],
    [s.billing.id, 'billing'],
    [s.alice.id, 'alice'],
    [s.bob.id, 'bob'],
  ]);
  const n = (id: string | null) => (id === null ? null : (names.get(id) ?? id));
  const calls: Record<string, unknown> = {};
  for (const [role, id] of Object.entries(ids)) {
    const res = await s.t.admin.get(`/v1/calls/${id}`);
    expect(res.status, res.text).toBe(200);
    const c = res.body;
    calls[role] = {
      direction: c.direction,
      callerMasked: c.callerMasked,
      startedAt: c.startedAt,
      endedAt: c.endedAt,
      hangupCause: c.hangupCause,
      endedBy: c.endedBy,
      visits: c.visits.map((v: any) => [n(v.queueId), v.outcome, v.waitMs, n(v.agentId), v.enqueuedAt, v.leftAt]),
      segments: c.segments.map((g: any) => [n(g.agentId), n(g.queueId), g.talkMs, g.holdMs, g.holdCount, g.acwMs, g.endedBy]),
    };
  }
  const live: Record<string, unknown> = {};
  for (const q of [s.sales, s.billing]) {
    const body = (await s.t.admin.get(`/v1/queues/${q.id}/live`)).body;
    live[n(q.id) as string] = { waiting: body.waiting, ...body.today, date: undefined, timeZone: undefined };
  }
  const rows = await asTenant(s.t.id, async (q) => ({
    visits: await q(
      'SELECT interaction_id, queue_id, outcome, wait_ms, agent_id FROM queue_visits ORDER BY interaction_id, enqueued_at',
    ),
    segments: await q(
      'SELECT interaction_id, agent_id, talk_ms, hold_ms, hold_count, acw_ms FROM agent_segments ORDER BY interaction_id',
    ),
    interactions: await q('SELECT id, ended_by, hangup_cause FROM interactions ORDER BY id'),
  }));
  const sql = {
    visits: rows.visits.map((r) => [r.interaction_id, n(r.queue_id), r.outcome, Number(r.wait_ms), n(r.agent_id)]),
    segments: rows.segments.map((r) => [
      r.interaction_id,
      n(r.agent_id),
      Number(r.talk_ms),
      Number(r.hold_ms),
      Number(r.hold_count),
      r.acw_ms === null ? null : Number(r.acw_ms),
    ]),
    interactions: rows.interactions.map((r) => [r.id, r.ended_by, r.hangup_cause]),
  };
  return { calls, live, sql };
}

describe('POST /v1/webhooks/amazon-connect/{connectorId}', () => {
  it('answered (wait, talk, hold, after-contact work), abandoned, short-abandoned and transferred contacts, in any order', async () => {
    const s = await setup();
    const { ids, deliveries } = scenario(callId('ac'));
    for (const d of deliveries) {
      const res = await deliver(s, d);
      expect(res.status, res.text).toBe(200);
      if (d.kind === 'firehose') {
        // Firehose counts a delivery done only when its request id comes back.
        expect(res.headers.get('Content-Type')).toContain('application/json');
        expect(res.body).toEqual({ requestId: d.requestId, timestamp: expect.any(Number) });
      } else expect(res.body.rejected, res.text).toBe(0);
    }
    await settle(s.t);

    const got = await observed(s, ids);
    expect(got.calls.answered).toEqual({
      direction: 'inbound',
      callerMasked: '+141******00',
      startedAt: iso(m(1)),
      endedAt: iso(m(1, 132)),
      hangupCause: 'customer_disconnect',
      endedBy: 'customer',
      visits: [['sales', 'answered', 10_000, 'alice', iso(m(1, 2)), iso(m(1, 12))]],
      // Talk is connected → disconnected minus the hold (from the agent events); ACW from COMPLETED and the agent events.
      segments: [['alice', 'sales', 105_000, 15_000, 1, 30_000, 'customer']],
    });
    expect(got.calls.abandoned).toMatchObject({
      endedBy: 'customer',
      visits: [['sales', 'abandoned', 45_000, null, iso(m(2, 2)), iso(m(2, 47))]],
      segments: [],
    });
    expect(got.calls.short).toMatchObject({ visits: [['sales', 'abandoned', 3_000, null, iso(m(3, 2)), iso(m(3, 5))]] });
    const { serviceLevel } = (await s.t.admin.get('/v1/settings')).body;
    expect(3_000).toBeLessThanOrEqual(serviceLevel.shortAbandonSeconds * 1000);
    expect(45_000).toBeGreaterThan(serviceLevel.shortAbandonSeconds * 1000);
    expect(got.calls.transferred).toMatchObject({
      startedAt: iso(m(4)),
      endedAt: iso(m(4, 122)),
      visits: [
        ['sales', 'transferred', 20_020, null, iso(m(4, 2)), iso(m(4, 22.02))],
        ['billing', 'answered', 9_950, 'bob', iso(m(4, 22.05)), iso(m(4, 32))],
      ],
      segments: [['bob', 'billing', 90_000, 0, 0, null, 'customer']],
    });
    expect(got.live).toEqual({
      sales: { waiting: 0, offered: 4, answered: 1, abandoned: 2, flowedOut: 1, unknown: 0 },
      billing: { waiting: 0, offered: 1, answered: 1, abandoned: 0, flowedOut: 0, unknown: 0 },
    });
    expect(got.sql.visits).toEqual([
      [ids.abandoned, 'sales', 'abandoned', 45_000, null],
      [ids.answered, 'sales', 'answered', 10_000, 'alice'],
      [ids.short, 'sales', 'abandoned', 3_000, null],
      [ids.transferred, 'sales', 'transferred', 20_020, null],
      [ids.transferred, 'billing', 'answered', 9_950, 'bob'],
    ]);
    expect(got.sql.segments).toEqual([
      [ids.answered, 'alice', 105_000, 15_000, 1, 30_000],
      [ids.transferred, 'bob', 90_000, 0, 0, null],
    ]);
    expect(got.sql.interactions).toEqual([
      [ids.abandoned, 'customer', 'customer_disconnect'],
      [ids.answered, 'customer', 'customer_disconnect'],
      [ids.short, 'customer', 'customer_disconnect'],
      [ids.transferred, 'customer', 'customer_disconnect'],
    ]);

    // EventBridge retries and Firehose re-sends: every delivery again changes nothing.
    for (const d of deliveries) {
      const res = await deliver(s, d);
      expect(res.status, res.text).toBe(200);
      if (d.kind === 'eventbridge') expect(res.body.accepted, res.text).toBe(0);
    }
    await settle(s.t);
    expect(await observed(s, ids)).toEqual(got);

    // "Events are not ordered": the same deliveries shuffled, some twice, to another tenant give the same result.
    const other = await setup();
    for (const d of shuffled([...deliveries, ...deliveries.slice(0, 12)], 5)) {
      const res = await deliver(other, d);
      expect(res.status, res.text).toBe(200);
    }
    await settle(other.t);
    expect(await observed(other, ids)).toEqual(got);
  });

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
      expect(live.agents.list).toEqual([{ agentId: s.alice.id, state: 'available', reason: null, since: iso(m(9)) }]);
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
