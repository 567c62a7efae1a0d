import { describe, expect, it } from 'vitest';
import { amazonConnectAdapter } from '../../../src/adapters/telephony/amazon-connect/amazon-connect.adapter';
import type { TypedEvent } from '../../../src/adapters/telephony/kit/event';
import {
  type AdapterContext,
  type AdapterEvent,
  AdapterInputError,
  type InboundRequest,
} from '../../../src/adapters/telephony/types';
import { WireEventSchema } from '../../../src/domain/events/wire';
import {
  agentArn,
  agentCallRecords,
  agentEvent,
  type ContactPlan,
  contactEvent,
  contactEvents,
  firehoseDelivery,
  queueArn,
} from './fixtures';

const T = Date.parse('2024-06-04T10:00:00.000Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();
const BILLING = queueArn('7c1b2a3d-0000-4000-8000-00000000b111');
const SALES = queueArn('7c1b2a3d-0000-4000-8000-00000000c222');
const ALICE = agentArn('a11ce000-0000-4000-8000-000000000001');
const API_KEY = 'ak_live_0123456789abcdef';

function request(body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): InboundRequest {
  return {
    method: 'POST',
    url: 'https://callboard.example.com/v1/webhooks/amazon-connect/con_t_1',
    headers: new Headers({ 'x-api-key': API_KEY, ...headers }),
    rawBody: typeof body === 'string' ? body : JSON.stringify(body),
    contentType,
  };
}

function context(over: Partial<AdapterContext> = {}): AdapterContext {
  return { connectorId: 'con_t_1', credentials: [{ apiKey: API_KEY }], options: {}, nowMs: T + 3_600_000, ...over };
}

const normalize = async (body: unknown, ctx = context()) => await amazonConnectAdapter.normalize(request(body), ctx);

function expectWire(events: AdapterEvent[]) {
  for (const { occurredAtSource: _source, ...wire } of events)
    expect(WireEventSchema.safeParse(wire).error, wire.id).toBeUndefined();
}

const C = 'c0ffee00-0000-4000-8000-00000000a001';
const answered: ContactPlan = {
  contactId: C,
  caller: '+14155550100',
  initiated: 0,
  queue: { arn: BILLING, enqueued: 2 },
  agent: { arn: ALICE, connected: 12, acw: { start: 132, end: 162 } },
  disconnected: { at: 132, reason: 'CUSTOMER_DISCONNECT' },
};
const refs = { interactionId: C, legId: C };
const FACTS: Record<string, TypedEvent> = {
  initiated: {
    id: `amazon-connect:${C}:initiated`,
    type: 'interaction.started',
    occurredAt: at(0),
    ...refs,
    direction: 'inbound',
    caller: '+14155550100',
  },
  queued: {
    id: `amazon-connect:${C}:queued`,
    type: 'queue.joined',
    occurredAt: at(2),
    ...refs,
    queueKey: BILLING,
  },
  answered: {
    id: `amazon-connect:${C}:answered`,
    type: 'queue.left',
    occurredAt: at(12),
    ...refs,
    queueKey: BILLING,
    agentKey: ALICE,
    attrs: { outcome: 'answered', waitMs: 10_000 },
  },
  connected: {
    id: `amazon-connect:${C}:connected`,
    type: 'agent.connected',
    occurredAt: at(12),
    ...refs,
    agentKey: ALICE,
    queueKey: BILLING,
  },
  disconnected: {
    id: `amazon-connect:${C}:disconnected`,
    type: 'agent.disconnected',
    occurredAt: at(132),
    ...refs,
    agentKey: ALICE,
    queueKey: BILLING,
    attrs: { endedBy: 'customer' },
  },
  ended: {
    id: `amazon-connect:${C}:ended`,
    type: 'interaction.ended',
    occurredAt: at(132),
    ...refs,
    attrs: { hangupCause: 'customer_disconnect', endedBy: 'customer' },
  },
  acwStarted: {
    id: `amazon-connect:${C}:acw-started`,
    type: 'wrapup.started',
    occurredAt: at(132),
    ...refs,
    agentKey: ALICE,
    queueKey: BILLING,
  },
  acwEnded: {
    id: `amazon-connect:${C}:acw-ended`,
    type: 'wrapup.ended',
    occurredAt: at(162),
    ...refs,
    agentKey: ALICE,
    queueKey: BILLING,
    attrs: { acwMs: 30_000 },
  },
};

describe('amazon-connect contact events', () => {
  const [initiated, queued, connected, disconnected, completed] = contactEvents(answered, at);

  it.each([
    ['INITIATED', initiated, ['initiated']],
    ['QUEUED', queued, ['initiated', 'queued']],
    ['CONNECTED_TO_AGENT', connected, ['initiated', 'queued', 'answered', 'connected']],
    ['DISCONNECTED', disconnected, ['initiated', 'queued', 'answered', 'connected', 'disconnected', 'ended']],
    ['COMPLETED', completed, ['initiated', 'queued', 'answered', 'connected', 'disconnected', 'ended', 'acwStarted', 'acwEnded']],
  ])('%s maps every fact its snapshot holds, each under the id of the fact', async (_type, event, facts) => {
    const result = await normalize(event);
    expect(result).toEqual({ events: facts.map((f) => FACTS[f]), ignored: [] });
    expectWire(result.events);
  });

  it('an abandoned contact: left the queue abandoned with its wait, and the call ended', async () => {
    const plan: ContactPlan = {
      contactId: C,
      initiated: 0,
      queue: { arn: BILLING, enqueued: 1 },
      disconnected: { at: 21, reason: 'CUSTOMER_DISCONNECT' },
    };
    const result = await normalize(contactEvents(plan, at)[2]);
    expect(result.events.map((e) => [e.type, e.occurredAt, e.attrs])).toEqual([
      ['interaction.started', at(0), undefined],
      ['queue.joined', at(1), undefined],
      ['queue.left', at(21), { outcome: 'abandoned', waitMs: 20_000 }],
      ['interaction.ended', at(21), { hangupCause: 'customer_disconnect', endedBy: 'customer' }],
    ]);
  });

  it('a queue transfer: the waiting contact ends without an abandon or a call end; the new contact is a transfer, not a new call', async () => {
    const C2 = 'c0ffee00-0000-4000-8000-00000000a002';
    const first: ContactPlan = {
      contactId: C,
      initiated: 0,
      queue: { arn: BILLING, enqueued: 2 },
      disconnected: { at: 30, reason: 'CONTACT_FLOW_DISCONNECT' },
    };
    const second: ContactPlan = {
      contactId: C2,
      initialContactId: C,
      previousContactId: C,
      initiationMethod: 'QUEUE_TRANSFER',
      initiated: 30.2,
      queue: { arn: SALES, enqueued: 30.5 },
    };
    const left = await normalize(contactEvents(first, at)[2]);
    expect(left.events.map((e) => e.type)).toEqual(['interaction.started', 'queue.joined']);
    const joined = await normalize(contactEvents(second, at)[1]);
    expect(joined.events).toEqual([
      {
        id: `amazon-connect:${C2}:transfer`,
        type: 'transfer',
        occurredAt: at(30.2),
        interactionId: C,
        legId: C2,
        attrs: { kind: 'queue' },
      },
      {
        id: `amazon-connect:${C2}:queued`,
        type: 'queue.joined',
        occurredAt: at(30.5),
        interactionId: C,
        legId: C2,
        queueKey: SALES,
      },
    ]);
  });

  it('an agent who hangs up disconnects, but ends no call (an agent also leaves that way after a transfer)', async () => {
    const plan: ContactPlan = {
      ...answered,
      agent: { arn: ALICE, connected: 12 },
      disconnected: { at: 90, reason: 'AGENT_DISCONNECT' },
    };
    const result = await normalize(contactEvents(plan, at)[3]);
    expect(result.events.map((e) => e.type)).toEqual([
      'interaction.started',
      'queue.joined',
      'queue.left',
      'agent.connected',
      'agent.disconnected',
    ]);
    expect(result.events.at(-1)?.attrs).toEqual({ endedBy: 'agent' });
  });

  it('a contact that never queued ends when its flow hangs up', async () => {
    const plan: ContactPlan = { contactId: C, initiated: 0, disconnected: { at: 20, reason: 'CONTACT_FLOW_DISCONNECT' } };
    const result = await normalize(contactEvents(plan, at)[1]);
    expect(result.events.map((e) => [e.type, e.attrs])).toEqual([
      ['interaction.started', undefined],
      ['interaction.ended', { hangupCause: 'contact_flow_disconnect', endedBy: 'system' }],
    ]);
  });

  it('reads keys in any case, as AWS samples spell them (AgentInfo, AgentArn, QueueInfo...)', async () => {
    const detail = (connected as { detail: Record<string, unknown> }).detail;
    const shouted = {
      ...connected,
      detail: {
        EventType: 'CONNECTED_TO_AGENT',
        ContactId: detail.contactId,
        InitialContactId: detail.initialContactId,
        InitiationMethod: 'INBOUND',
        InitiationTimestamp: detail.initiationTimestamp,
        Channel: 'Voice',
        CustomerEndpoint: { Address: '+14155550100' },
        QueueInfo: { QueueArn: BILLING, EnqueueTimestamp: at(2) },
        AgentInfo: { AgentArn: ALICE, ConnectedToAgentTimestamp: at(12) },
      },
    };
    expect(await normalize(shouted)).toEqual(await normalize(connected));
  });

  it("an older event without the snapshot timestamps uses the envelope's time for its own fact", async () => {
    const old = contactEvent('abcabcab-abca-abca-abca-abcabcabcabc', '2024-06-04T10:00:12Z', {
      eventType: 'CONNECTED_TO_AGENT',
      contactId: C,
      initialContactId: C,
      channel: 'Voice',
      initiationMethod: 'INBOUND',
      queueInfo: { queueArn: BILLING, queueType: 'STANDARD' },
      AgentInfo: { AgentArn: ALICE },
    });
    const result = await normalize(old);
    expect(result.events.map((e) => [e.type, e.occurredAt])).toEqual([
      ['queue.left', at(12)],
      ['agent.connected', at(12)],
    ]);
  });

  it.each([
    [
      'CONTACT_DATA_UPDATED',
      contactEvent('e1', at(5), { eventType: 'CONTACT_DATA_UPDATED', contactId: C, initiationTimestamp: at(0) }),
    ],
    [
      'a chat',
      contactEvent('e2', at(5), {
        eventType: 'QUEUED',
        contactId: C,
        channel: 'CHAT',
        queueInfo: { queueArn: BILLING, enqueueTimestamp: at(5) },
      }),
    ],
    [
      'a supervisor monitoring',
      contactEvent('e3', at(5), {
        eventType: 'INITIATED',
        contactId: C,
        initiationMethod: 'MONITOR',
        initiationTimestamp: at(5),
      }),
    ],
    [
      'another detail-type',
      { ...contactEvent('e4', at(5), { contactId: C }), 'detail-type': 'Contact Lens Realtime Rules Matched' },
    ],
    ['an event type AWS may add', contactEvent('e5', at(5), { eventType: 'WEBRTC_API', contactId: C })],
  ])('accepts and ignores %s', async (_name, event) => {
    const result = await normalize(event);
    expect(result.events).toEqual([]);
    expect(result.ignored).toEqual([{ what: expect.any(String), reason: expect.any(String) }]);
  });
});

describe('amazon-connect agent event stream', () => {
  const records = agentCallRecords(
    {
      agent: ALICE,
      contactId: C,
      queue: { arn: BILLING, name: 'Billing', enqueued: 2 },
      available: -600,
      offered: 9,
      connected: 12,
      hold: { start: 40, end: 55 },
      ended: 132,
      cleared: 162,
    },
    at,
  );
  const agent = 'a11ce000-0000-4000-8000-000000000001';
  const status = {
    id: `amazon-connect:agent:${agent}:status:${at(-600)}`,
    type: 'agent.state_changed',
    occurredAt: at(-600),
    agentKey: ALICE,
    attrs: { state: 'available' },
  };
  const contact = { interactionId: C, legId: C, agentKey: ALICE, queueKey: BILLING };
  const fact = (name: string, s: number) => `amazon-connect:${C}:${agent}:${name}:${at(s)}`;

  it.each([
    ['ringing', 0, [status, { id: fact('offered', 9), type: 'agent.offered', occurredAt: at(9), ...contact }]],
    [
      'connected: the talk itself comes from contact events; the ring of the previous snapshot is repeated under its id',
      1,
      [status, { id: fact('offered', 9), type: 'agent.offered', occurredAt: at(9), ...contact }],
    ],
    ['on hold', 2, [status, { id: fact('hold', 40), type: 'hold.started', occurredAt: at(40), ...contact }]],
    [
      'off hold',
      3,
      [
        status,
        { id: fact('hold', 40), type: 'hold.started', occurredAt: at(40), ...contact },
        { id: fact('unhold', 55), type: 'hold.ended', occurredAt: at(55), ...contact },
      ],
    ],
    [
      'ended: after-contact work begins',
      4,
      [status, { id: fact('acw', 132), type: 'wrapup.started', occurredAt: at(132), ...contact }],
    ],
    [
      'cleared: after-contact work ends',
      5,
      [
        status,
        { id: fact('acw', 132), type: 'wrapup.started', occurredAt: at(132), ...contact },
        { id: fact('acw-cleared', 132), type: 'wrapup.ended', occurredAt: at(162), ...contact },
      ],
    ],
  ])('%s', async (_name, index, expected) => {
    const result = await normalize(records[index]);
    expect(result).toEqual({ events: expected, ignored: [] });
    expectWire(result.events);
  });

  it('a break: a custom status is away with its name as the reason; LOGOUT is offline', async () => {
    const available = { name: 'Available', type: 'ROUTABLE' as const, since: 0 };
    const lunch = { name: 'Lunch', type: 'CUSTOM' as const, since: 300 };
    const brk = agentEvent(
      { eventId: 'e-brk', type: 'STATE_CHANGE', at: 300, agent: ALICE, status: lunch, previous: { status: available } },
      at,
    );
    const result = await normalize(brk);
    expect(result.events.map((e) => [e.id, e.occurredAt, e.attrs])).toEqual([
      [`amazon-connect:agent:${agent}:status:${at(0)}`, at(0), { state: 'available' }],
      [`amazon-connect:agent:${agent}:status:${at(300)}`, at(300), { state: 'away', reason: 'Lunch' }],
    ]);
    expectWire(result.events);
    const offline = { name: 'Offline', type: 'OFFLINE' as const, since: 900 };
    const logout = await normalize(agentEvent({ eventId: 'e-out', type: 'LOGOUT', at: 900, agent: ALICE, status: offline }, at));
    expect(logout.events.map((e) => [e.occurredAt, e.attrs])).toEqual([[at(900), { state: 'offline' }]]);
    // A LOGOUT whose snapshot still shows the last status adds the sign-off itself.
    const stale = await normalize(agentEvent({ eventId: 'e-out2', type: 'LOGOUT', at: 901, agent: ALICE, status: lunch }, at));
    expect(stale.events.map((e) => [e.occurredAt, e.attrs])).toEqual([
      [at(300), { state: 'away', reason: 'Lunch' }],
      [at(901), { state: 'offline' }],
    ]);
  });

  it('a missed offer times out; an offer dropped while ringing was canceled', async () => {
    const status = { name: 'Available', type: 'ROUTABLE' as const, since: 0 };
    const ringing = { contactId: C, state: 'CONNECTING', since: 9, queue: { arn: BILLING, name: 'Billing', enqueued: 2 } };
    const missed = await normalize(
      agentEvent(
        {
          eventId: 'm',
          type: 'STATE_CHANGE',
          at: 29,
          agent: ALICE,
          status,
          contacts: [{ ...ringing, state: 'MISSED', since: 29 }],
          previous: { status, contacts: [ringing] },
        },
        at,
      ),
    );
    expect(missed.events.slice(1).map((e) => [e.type, e.occurredAt, e.attrs])).toEqual([
      ['agent.offered', at(9), undefined],
      ['agent.offer_ended', at(29), { result: 'timeout' }],
    ]);
    const dropped = await normalize(
      agentEvent(
        {
          eventId: 'd',
          type: 'STATE_CHANGE',
          at: 15,
          agent: ALICE,
          status,
          contacts: [],
          previous: { status, contacts: [ringing] },
        },
        at,
      ),
    );
    expect(dropped.events.slice(1).map((e) => [e.type, e.occurredAt, e.attrs])).toEqual([
      ['agent.offered', at(9), undefined],
      ['agent.offer_ended', at(15), { result: 'canceled', ringMs: 6_000 }],
    ]);
  });

  it('ignores heart beats', async () => {
    const beat = agentEvent(
      { eventId: 'hb', type: 'HEART_BEAT', at: 120, agent: ALICE, status: { name: 'Available', type: 'ROUTABLE', since: 0 } },
      at,
    );
    expect(await normalize(beat)).toEqual({
      events: [],
      ignored: [{ what: 'agent event HEART_BEAT', reason: 'Liveness only.' }],
    });
  });
});

describe('amazon-connect deliveries', () => {
  it('a Firehose delivery: every record decoded, a bad record listed as ignored, the rest kept', async () => {
    const body = firehoseDelivery('ed4bc1e5-7cdc-4bf0-8e3f-6a9e1e3b6a11', T, [
      contactEvents(answered, at)[1],
      agentCallRecords(
        {
          agent: ALICE,
          contactId: C,
          queue: { arn: BILLING, name: 'Billing', enqueued: 2 },
          available: 0,
          offered: 9,
          connected: 12,
          ended: 132,
          cleared: 162,
        },
        at,
      )[0],
    ]);
    (body.records as unknown[]).push({ data: 'bm90IGpzb24=' }, { data: '***' });
    const result = await normalize(body);
    expect(result.events.map((e) => e.type)).toEqual([
      'interaction.started',
      'queue.joined',
      'agent.state_changed',
      'agent.offered',
    ]);
    expect(result.ignored).toEqual([
      { what: '/records/2', reason: 'The record data is not JSON.' },
      { what: '/records/3', reason: 'The record has no base64 data.' },
    ]);
    expectWire(result.events);
  });

  it('a Firehose delivery that repeats a record carries each event once (Firehose and Kinesis deliver at least once)', async () => {
    const record = contactEvents(answered, at)[1];
    const body = firehoseDelivery('5b0d3b1e-2c4f-4e8a-9a1d-7f3e2b1c0d9e', T, [record, contactEvents(answered, at)[2], record]);
    const result = await normalize(body);
    const ids = result.events.map((e) => e.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    const once = await normalize(
      firehoseDelivery('5b0d3b1e-2c4f-4e8a-9a1d-7f3e2b1c0d9f', T, [record, contactEvents(answered, at)[2]]),
    );
    expect(result.events).toEqual(once.events);
    expectWire(result.events);
  });

  it('answers Firehose with its request id (from the header, else the body) and a timestamp; EventBridge with the default', () => {
    const body = JSON.stringify(firehoseDelivery('req-1', T, []));
    const viaHeader = amazonConnectAdapter.respond?.(request(body, { 'X-Amz-Firehose-Request-Id': 'req-1' }), {
      accepted: 0,
      duplicates: 0,
      rejected: 0,
    });
    expect(viaHeader).toEqual({ status: 200, contentType: 'application/json', body: expect.any(String) });
    const parsed = JSON.parse(viaHeader?.body as string);
    expect(parsed).toEqual({ requestId: 'req-1', timestamp: expect.any(Number) });
    expect(Math.abs(parsed.timestamp - Date.now())).toBeLessThan(60_000);
    expect(
      JSON.parse(amazonConnectAdapter.respond?.(request(body), { accepted: 0, duplicates: 0, rejected: 0 })?.body as string)
        .requestId,
    ).toBe('req-1');
    expect(
      amazonConnectAdapter.respond?.(request(contactEvents(answered, at)[0]), { accepted: 1, duplicates: 0, rejected: 0 }),
    ).toBeNull();
  });

  it('an EventBridge Pipes batch: an array of events, or of Kinesis records', async () => {
    const events = contactEvents(answered, at);
    const asArray = await normalize(events.slice(0, 2));
    expect(asArray.events.map((e) => e.id)).toEqual([FACTS.initiated?.id, FACTS.queued?.id]);
    const kinesis = await normalize(
      [records()[0]].map((r) => ({
        kinesisSchemaVersion: '1.0',
        partitionKey: 'p',
        sequenceNumber: '1',
        data: btoa(JSON.stringify(r)),
      })),
    );
    expect(kinesis.events.map((e) => e.type)).toEqual(['agent.state_changed', 'agent.offered']);
    function records() {
      return agentCallRecords(
        {
          agent: ALICE,
          contactId: C,
          queue: { arn: BILLING, name: 'Billing', enqueued: 2 },
          available: 0,
          offered: 9,
          connected: 12,
          ended: 132,
          cleared: 162,
        },
        at,
      );
    }
  });

  it('a bare contact event detail (an input transformer posting $.detail)', async () => {
    const detail = (contactEvents(answered, at)[1] as { detail: unknown }).detail;
    expect((await normalize(detail)).events).toEqual([FACTS.initiated, FACTS.queued]);
  });

  it('is deterministic, and no two facts share an id', async () => {
    const events = contactEvents(answered, at);
    const a = await normalize(events);
    expect(await normalize(events)).toEqual(a);
    const unique = new Map(a.events.map((e) => [e.id, e]));
    // Each fact, reported by several events, is the same event under the same id.
    expect([...unique.values()]).toEqual(Object.values(FACTS));
  });

  it.each([
    ['malformed JSON', '{"detail":', 'application/json', 400],
    ['not JSON', '<xml/>', 'text/xml', 415],
    ['a number', '42', 'application/json', 422],
    ['an unknown object', '{"hello":"world"}', 'application/json', 422],
    [
      'a contact event without contactId',
      JSON.stringify(contactEvent('x', at(0), { eventType: 'QUEUED' })),
      'application/json',
      422,
    ],
    [
      'an agent event without a timestamp',
      JSON.stringify({ EventType: 'STATE_CHANGE', AgentARN: ALICE, EventId: 'x' }),
      'application/json',
      422,
    ],
  ])('refuses %s', async (_name, body, contentType, status) => {
    const err = await Promise.resolve()
      .then(() => amazonConnectAdapter.normalize(request(body, {}, contentType), context()))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterInputError);
    expect((err as AdapterInputError).status).toBe(status);
  });

  it('points at the unreadable field', async () => {
    const err = (await Promise.resolve(
      amazonConnectAdapter.normalize(request(contactEvent('x', at(0), { eventType: 'QUEUED' })), context()),
    ).catch((e: unknown) => e)) as AdapterInputError;
    expect(err.issues).toEqual([{ in: 'body', pointer: '/detail/contactId', detail: expect.any(String) }]);
  });
});

describe('amazon-connect verify', () => {
  const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
  const req = (headers: Record<string, string>) => ({ ...request({}), headers: new Headers(headers) });
  const all = context({
    credentials: [
      {
        apiKey: API_KEY,
        basicUsername: 'connect',
        basicPassword: 'correct horse battery',
        firehoseAccessKey: 'fh-access-key-0001',
      },
    ],
  });

  it.each([
    ['the API key in x-api-key', { 'x-api-key': API_KEY }],
    ['Basic credentials', { authorization: basic('connect', 'correct horse battery') }],
    ['the Firehose access key', { 'X-Amz-Firehose-Access-Key': 'fh-access-key-0001' }],
  ])('accepts %s', async (_name, headers) => {
    expect(await amazonConnectAdapter.verify(req(headers), all)).toEqual({ ok: true, credentialIndex: 0 });
  });

  it('takes the API key from the header the connector names, and the previous key during a rotation', async () => {
    const custom = context({ options: { apiKeyHeader: 'X-Callboard-Key' } });
    expect(await amazonConnectAdapter.verify(req({ 'x-callboard-key': API_KEY }), custom)).toMatchObject({ ok: true });
    expect(await amazonConnectAdapter.verify(req({ 'x-api-key': API_KEY }), custom)).toMatchObject({
      ok: false,
      reason: 'missing',
    });
    const rotated = context({ credentials: [{ apiKey: 'ak_live_new_key_2' }, { apiKey: API_KEY }] });
    expect(await amazonConnectAdapter.verify(req({ 'x-api-key': API_KEY }), rotated)).toEqual({ ok: true, credentialIndex: 1 });
  });

  it.each([
    ['no credentials at all', {}, 'missing'],
    ['a bearer token (OAuth is not supported)', { authorization: 'Bearer abc' }, 'missing'],
    ['a wrong API key', { 'x-api-key': `${API_KEY}x` }, 'invalid'],
    ['a prefix of the API key', { 'x-api-key': API_KEY.slice(0, -1) }, 'invalid'],
    ['the right user with a wrong password', { authorization: basic('connect', 'wrong') }, 'invalid'],
    ['a wrong user with the right password', { authorization: basic('admin', 'correct horse battery') }, 'invalid'],
    ['a wrong Firehose key', { 'X-Amz-Firehose-Access-Key': 'fh-access-key-0002' }, 'invalid'],
  ])('refuses %s', async (_name, headers, reason) => {
    expect(await amazonConnectAdapter.verify(req(headers), all)).toMatchObject({ ok: false, reason });
  });

  it('a mechanism the connector has no secret for does not authenticate', async () => {
    const apiKeyOnly = context({ credentials: [{ apiKey: API_KEY }] });
    expect(await amazonConnectAdapter.verify(req({ 'X-Amz-Firehose-Access-Key': API_KEY }), apiKeyOnly)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('has no timestamp to expire: EventBridge retries for 24 h, and a late retry still verifies', async () => {
    const late = context({ nowMs: T + 23 * 3_600_000 });
    expect(await amazonConnectAdapter.verify(req({ 'x-api-key': API_KEY }), late)).toMatchObject({ ok: true });
  });
});
